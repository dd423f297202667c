"""The HTTP client of sites/: pages and media streams through one URL guard.

`client.HttpClient.fetch_page` fetches pages: http(s) only, on the given `allowed_hosts`
(None: any public host), every hop (redirects are followed by hand) refused on a private,
loopback, link-local, multicast or reserved address unless ALLOW_PRIVATE_HOSTS allows it;
connect/read timeouts; retries with exponential backoff on connection errors, timeouts
and 429/5xx (Retry-After honoured up to a cap); requests to one host paced through Redis
(HOST_RATE_LIMIT_PER_SECOND, shared by every process); conditional GET (304 ->
`Page.not_modified`); a browser-like User-Agent; a size cap (ResponseTooLarge).
`HttpClient.open_stream` opens media for streaming (any public host, guarded, unpaced).
Errors are `errors.FetchError` subclasses whose message is a sentence for a person.
"""
