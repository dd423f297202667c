"""Everything that talks to the outside web, and knows no Flask and no database.

`http/` is the one HTTP client (URL guard, rate limit, timeouts, retries); `providers/`
are the sites (one module each) and the generic directory/RSS providers, with their
registry; `hosts/` are the video hosts; `types` holds the values that cross into the
app's stages. The app side hands in what sites/ needs: webapp.infra.site_access.
"""
