"""Admin: extra domains (mirrors) per provider, kept in the `mirrors` site setting."""

from __future__ import annotations

import re

from flask import flash, render_template, request, url_for
from werkzeug.wrappers import Response

from webapp.infra.site_access import get_registry
from webapp.infra.site_settings import get_mirrors, set_mirrors
from webapp.pages import bp
from webapp.pages.admin import admin_required
from webapp.pages.admin.site_feeds import site_feeds_context
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_MIRRORS = 20


def _site_providers() -> list[tuple[str, str, tuple[str, ...]]]:
    return [(p.id, p.name, tuple(p.domains)) for p in get_registry().providers if not p.generic]


def _status_notes() -> dict[str, str]:
    """Each site provider's status sentence (e.g. no live domain), where it has one."""
    return {p.id: p.status_note for p in get_registry().providers
            if not p.generic and p.status_note}


def parse_domains(text: str) -> tuple[list[str], list[str]]:
    """Split a textarea into domains (lower case, scheme and path dropped) and bad entries."""
    good, bad = [], []
    for raw in re.split(r"[\s,]+", text.strip()):
        if not raw:
            continue
        domain = re.sub(r"^[a-z]+://", "", raw.lower()).split("/")[0].rstrip(".")
        if not DOMAIN_RE.match(domain):
            bad.append(raw)
        elif domain not in good:
            good.append(domain)
    return good, bad


@bp.get("/admin/mirrors")
@admin_required
def admin_mirrors() -> str:
    """Each site provider's known domains and the mirrors an admin added."""
    return render_template("admin/mirrors.html", providers=_site_providers(),
                           notes=_status_notes(), mirrors=get_mirrors(), errors={}, texts={},
                           **site_feeds_context())


@bp.post("/admin/mirrors")
@admin_required
def admin_save_mirrors() -> Response:
    """Save the mirrors; URLs on these domains are accepted for the provider at once."""
    providers = _site_providers()
    texts = {pid: request.form.get(pid, "") for pid, _name, _domains in providers}
    mirrors, errors = {}, {}
    for pid, text in texts.items():
        good, bad = parse_domains(text)
        if bad:
            errors[pid] = "Not a domain name: " + ", ".join(bad[:5])
        elif len(good) > MAX_MIRRORS:
            errors[pid] = f"At most {MAX_MIRRORS} mirrors per provider."
        mirrors[pid] = good
    if errors:
        return page_or_fragment("admin/mirrors.html", "admin/_mirrors.html", 422,
                                providers=providers, notes=_status_notes(), mirrors=mirrors,
                                errors=errors, texts=texts, **site_feeds_context())
    set_mirrors(mirrors)
    if not is_htmx():
        flash("Mirrors saved.", "success")
    return back_to(url_for("pages.admin_mirrors"), "admin/_mirrors.html", providers=providers,
                   notes=_status_notes(), mirrors=get_mirrors(), errors={}, texts={},
                   saved=True)
