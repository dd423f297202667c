"""Personal API tokens: shown once, stored as SHA-256, scoped, expiring and revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import ApiToken, User

SCOPES = ("read", "write", "feeds")
TOKEN_PREFIX = "wl_"
LAST_USED_RESOLUTION_S = 60


class TokenError(ValueError):
    """A token could not be created; the message says why."""


@dataclass(frozen=True)
class TokenAuth:
    """Who a presented token belongs to and what it may do."""

    user: User
    token_id: int
    scopes: frozenset[str]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def parse_scopes(text: str | list[str]) -> list[str]:
    """Turn `read,write` (or a list) into a checked list of scopes."""
    items = text.split(",") if isinstance(text, str) else list(text)
    scopes = sorted({s.strip().lower() for s in items if s.strip()})
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise TokenError(f"Scopes are a comma-separated choice of {', '.join(SCOPES)}.")
    return scopes


def create_token(user: User, name: str, scopes: list[str] | str = "read,write",
                 expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the raw token (the only time it exists)."""
    name = (name or "").strip() or "token"
    if len(name) > 100:
        raise TokenError("A token name has at most 100 characters.")
    if expires_at is not None and expires_at <= utcnow():
        raise TokenError("The expiry date must be in the future.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hash_token(raw), prefix=raw[:10],
        scopes=",".join(parse_scopes(scopes)), expires_at=expires_at,
    )
    db.session.add(token)
    db.session.commit()
    return token, raw


def list_tokens(user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(user_id: int, token_id: int) -> bool:
    """Revoke one of the user's tokens; False when it is not theirs or already revoked."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id,
               ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()))
    db.session.commit()
    return result.rowcount == 1


def authenticate_token(raw: str) -> TokenAuth | None:
    """The owner and scopes of a valid token; None for unknown, expired or revoked ones."""
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or user.disabled:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > \
            LAST_USED_RESOLUTION_S:
        token.last_used_at = now
        db.session.commit()
    return TokenAuth(user=user, token_id=token.id, scopes=frozenset(token.scope_set))
