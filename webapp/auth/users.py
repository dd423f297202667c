"""User accounts: creation (the first one is an admin), passwords, lookup."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models import User, UserSettings

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MIN_PASSWORD_LENGTH = 8
# A fixed hash to compare against when the user does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class UserError(ValueError):
    """A user could not be created or changed; the message says why."""


def user_count() -> int:
    """How many accounts exist."""
    return db.session.scalar(select(func.count(User.id))) or 0


def validate_password(password: str) -> None:
    """Raise UserError when the password is too weak to accept."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 1024:
        raise UserError("The password is too long (at most 1024 characters).")


def create_user(username: str, password: str, is_admin: bool = False) -> User:
    """Create a user with default settings; the very first user is always an admin."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise UserError("A username is 1–64 letters, digits, dots, dashes or underscores.")
    validate_password(password)
    if get_by_username(username) is not None:
        raise UserError(f"The username {username!r} is taken.")
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        is_admin=is_admin or user_count() == 0,
    )
    user.settings = UserSettings()
    db.session.add(user)
    db.session.commit()
    return user


def get_by_username(username: str) -> User | None:
    """The user with this name (case-insensitive), or None."""
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def authenticate(username: str, password: str) -> User | None:
    """The active user whose password matches, or None."""
    user = get_by_username(username.strip())
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if user.disabled or not check_password_hash(user.password_hash, password):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Replace the user's password."""
    validate_password(password)
    user.password_hash = generate_password_hash(password)
    db.session.commit()


def list_users() -> list[User]:
    """Every account, oldest first (for the admin page)."""
    return list(db.session.scalars(select(User).order_by(User.id)))


def _active_admin_count() -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.is_admin.is_(True), User.disabled.is_(False))) or 0


def set_role(user: User, *, is_admin: bool | None = None, disabled: bool | None = None) -> None:
    """Change a user's admin flag or disabled state, never leaving the install without an admin."""
    removes_admin = user.is_admin and not user.disabled and (
        is_admin is False or disabled is True)
    if removes_admin and _active_admin_count() <= 1:
        raise UserError("This is the last active administrator: make someone else admin first.")
    if is_admin is not None:
        user.is_admin = is_admin
    if disabled is not None:
        user.disabled = disabled
    db.session.commit()
