"""Admin: create users, disable them, reset passwords, grant admin; toggle open sign-up."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.auth.forms import AdminCreateUserForm, ResetPasswordForm
from webapp.auth.users import UserError, create_user, list_users, set_password, set_role
from webapp.extensions import db
from webapp.infra.site_settings import OPEN_SIGNUP, open_signup_enabled, set_setting
from webapp.models import User
from webapp.pages import bp
from webapp.pages.admin import admin_required
from webapp.pages.htmx import back_to, is_htmx, page_or_fragment


def _context(**overrides: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "users": list_users(), "create_form": AdminCreateUserForm(formdata=None),
        "reset_form": ResetPasswordForm(formdata=None), "open_signup": open_signup_enabled(),
        "message": None,
    }
    context.update(overrides)
    return context


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _done(message: str, error: bool = False) -> Response:
    """Back to the users list: the refreshed table for htmx, else a redirect with a flash."""
    if not is_htmx():
        flash(message, "error" if error else "success")
    return back_to(url_for("pages.admin_users"), "admin/_users.html",
                   **_context(message=message, message_error=error))


@bp.get("/admin/users")
@admin_required
def admin_users() -> str:
    """The list of accounts with their actions."""
    return render_template("admin/users.html", **_context())


@bp.post("/admin/users")
@admin_required
def admin_create_user() -> Response:
    """Create an account (the admin hands over the initial password)."""
    form = AdminCreateUserForm()
    if form.validate():
        try:
            user = create_user(form.username.data, form.password.data, is_admin=form.is_admin.data)
        except UserError as exc:
            form.username.errors = [str(exc)]
        else:
            return _done(f"Created {user.username}.")
    return page_or_fragment("admin/users.html", "admin/_users.html", 422,
                            **_context(create_form=form))


@bp.post("/admin/users/<id:user_id>/<any(disable, enable, promote, demote):action>")
@admin_required
def admin_user_action(user_id: int, action: str) -> Response:
    """Disable or enable an account; grant or remove admin rights."""
    user = _user_or_404(user_id)
    if user.id == current_user.id and action in ("disable", "demote"):
        return _done("You cannot lock yourself out: ask another admin.", error=True)
    changes = {"disable": {"disabled": True}, "enable": {"disabled": False},
               "promote": {"is_admin": True}, "demote": {"is_admin": False}}[action]
    try:
        set_role(user, **changes)
    except UserError as exc:
        return _done(str(exc), error=True)
    return _done(f"{user.username}: {action}d.")


@bp.post("/admin/users/<id:user_id>/password")
@admin_required
def admin_reset_password(user_id: int) -> Response:
    """Set a new password for an account."""
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if not form.validate():
        return _done(f"{user.username}: " + " ".join(form.password.errors), error=True)
    try:
        set_password(user, form.password.data)
    except UserError as exc:
        return _done(str(exc), error=True)
    return _done(f"New password set for {user.username}.")


@bp.post("/admin/signup")
@admin_required
def admin_toggle_signup() -> Response:
    """Turn open sign-up on or off."""
    enabled = request.form.get("open_signup") == "on"
    set_setting(OPEN_SIGNUP, "true" if enabled else "false")
    return _done("Open sign-up is " + ("on: anyone can create an account." if enabled
                                       else "off: only admins create accounts."))
