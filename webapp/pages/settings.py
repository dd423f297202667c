"""Settings page: API tokens (shown once, revocable) and the password change."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.auth.forms import ChangePasswordForm, TokenForm
from webapp.auth.tokens import TokenError, create_token, revoke_token
from webapp.auth.users import UserError, authenticate, set_password
from webapp.pages import bp
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment
from webapp.pages.settings_context import feeds_context, settings_page_context, tokens_context


@bp.get("/settings")
def settings() -> Response | str:
    """The settings page."""
    return render_template("settings/page.html", **settings_page_context())


@bp.post("/settings/tokens")
def create_api_token() -> Response:
    """Create an API token and show it once."""
    form = TokenForm()
    new_token = None
    status = 422
    if form.validate():
        expires = None
        if form.expires.data:
            expires = datetime.combine(form.expires.data, datetime.min.time(), tzinfo=UTC)
        try:
            _token, new_token = create_token(current_user, form.name.data, form.scopes.data,
                                             expires)
        except TokenError as exc:
            form.name.errors = [*form.name.errors, str(exc)]
        else:
            form, status = TokenForm(formdata=None), 200
    context_of = tokens_context if is_htmx() else settings_page_context
    context = context_of(token_form=form, new_token=new_token)
    return page_or_fragment("settings/page.html", "settings/_tokens.html", status, **context)


@bp.post("/settings/feeds/token")
def create_feeds_token() -> Response:
    """Create a feeds-only token and show the feed URLs with it, once. The whole page
    answers (htmx takes the feeds and tokens sections from it)."""
    _token, raw = create_token(current_user, "feeds", ["feeds"])
    context = {**settings_page_context(), **feeds_context(feed_token=raw)}
    return page_or_fragment("settings/page.html", "settings/page.html", 200, **context)


@bp.post("/settings/tokens/<id:token_id>/revoke")
def revoke_api_token(token_id: int) -> Response:
    """Revoke one of your tokens (scripts using it get 401 at once)."""
    if revoke_token(current_user.id, token_id):
        if not is_htmx():
            flash("Token revoked.", "success")
    return back_to(url_for("pages.settings") + "#tokens", "settings/_tokens.html",
                   **tokens_context())


@bp.post("/settings/password")
def change_password() -> Response:
    """Change your password after confirming the current one."""
    form = ChangePasswordForm()
    if form.validate():
        if authenticate(current_user.username, form.current.data) is None:
            form.current.errors = ["This is not your current password."]
        else:
            try:
                set_password(current_user, form.password.data)
            except UserError as exc:
                form.password.errors = [str(exc)]
            else:
                if not is_htmx():
                    flash("Password changed.", "success")
                return back_to(url_for("pages.settings"), "settings/_password.html",
                               password_form=ChangePasswordForm(formdata=None), changed=True)
    return page_or_fragment("settings/page.html", "settings/_password.html", 422,
                            **settings_page_context(password_form=form))
