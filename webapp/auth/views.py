"""Login for pages: first-admin setup, login, logout and open sign-up."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from webapp.auth import bp
from webapp.auth.forms import AccountForm, LoginForm
from webapp.auth.ratelimit import login_blocked, record_failed_login
from webapp.auth.users import UserError, authenticate, create_user, user_count
from webapp.infra.site_settings import open_signup_enabled

# Paths that work before the first account exists.
SETUP_EXEMPT_PREFIXES = ("/api", "/openapi", "/static/", "/healthz", "/setup")


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site (never another host), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _has_users() -> bool:
    # Once an account exists it stays so; remember that to skip the query afterwards.
    if current_app.extensions.get("watchlist_has_users"):
        return True
    found = user_count() > 0
    if found:
        current_app.extensions["watchlist_has_users"] = True
    return found


@bp.before_app_request
def require_setup() -> Response | None:
    """With no account yet, every page leads to the create-the-admin page."""
    if request.path.startswith(SETUP_EXEMPT_PREFIXES) or _has_users():
        return None
    return redirect(url_for("auth.setup"))


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Response | str:
    """Create the first account, which is the administrator."""
    if _has_users():
        return redirect(url_for("auth.login"))
    return _create_account("auth/setup.html", is_admin=True)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int, dict[str, str]]:
    """Log in with username and password; 10 failures a minute from one address → 429."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("pages.index"))
    form = LoginForm()
    if request.method == "POST":
        address = request.remote_addr or "unknown"
        wait = login_blocked(address)
        if wait:
            page = render_template("auth/login.html", form=form, next_url=next_url,
                                   blocked_for=wait)
            return page, 429, {"Retry-After": str(wait)}
        if form.validate_on_submit():
            user = authenticate(form.username.data, form.password.data)
            if user is not None:
                login_user(user)
                return redirect(next_url or url_for("pages.index"))
        record_failed_login(address)
        flash("Wrong username or password.", "error")
    return render_template("auth/login.html", form=form, next_url=next_url,
                           signup=open_signup_enabled())


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Log out (a POST, so another site cannot log you out with a link)."""
    logout_user()
    flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | str:
    """Create an account yourself, when the administrator turned open sign-up on."""
    if not open_signup_enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("pages.index"))
    return _create_account("auth/register.html", is_admin=False)


def _create_account(template: str, *, is_admin: bool) -> Response | str:
    """The account form: create the account and log in with it, or show the form again."""
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.password.data, is_admin=is_admin)
        except UserError as exc:
            form.username.errors.append(str(exc))
        else:
            login_user(user)
            role = ": you are the administrator" if is_admin else ""
            flash(f"Welcome, {user.username}{role}.", "success")
            return redirect(url_for("pages.index"))
    return render_template(template, form=form)
