"""Flask CLI commands of accounts: `user create`, `token create|revoke|list`."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup

from webapp.auth.tokens import TokenError, create_token, list_tokens, revoke_token
from webapp.auth.users import UserError, create_user, get_by_username

user_cli = AppGroup("user", help="Manage user accounts.")
token_cli = AppGroup("token", help="Manage API tokens.")


@user_cli.command("create")
@click.argument("name")
@click.option("--password", required=True, help="The new user's password.")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
def user_create(name: str, password: str, admin: bool) -> None:
    """Create user NAME."""
    try:
        user = create_user(name, password, is_admin=admin)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    role = "admin" if user.is_admin else "user"
    click.echo(f"created {role} {user.username}", err=True)


def _user_or_fail(name: str):  # noqa: ANN202
    user = get_by_username(name)
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    return user


@token_cli.command("create")
@click.argument("name")
@click.option("--name", "label", default="cli", help="A label to recognise the token by.")
@click.option("--scopes", default="read,write", help="Comma-separated: read, write, feeds.")
@click.option("--expires", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              default=None, help="Expiry date (UTC).")
def token_create(name: str, label: str, scopes: str, expires: datetime | None) -> None:
    """Create an API token for user NAME and print it (only the token, on stdout)."""
    user = _user_or_fail(name)
    try:
        _token, raw = create_token(user, label, scopes,
                                   expires.replace(tzinfo=UTC) if expires else None)
    except TokenError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(raw)


@token_cli.command("list")
@click.argument("name")
def token_list(name: str) -> None:
    """List user NAME's tokens (never the secret)."""
    for token in list_tokens(_user_or_fail(name).id):
        state = "revoked" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\t{token.scopes}\t{state}")


@token_cli.command("revoke")
@click.argument("name")
@click.argument("token_id", type=int)
def token_revoke(name: str, token_id: int) -> None:
    """Revoke token TOKEN_ID of user NAME."""
    if not revoke_token(_user_or_fail(name).id, token_id):
        raise click.ClickException("no such active token for this user")
    click.echo("revoked", err=True)


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app's CLI."""
    app.cli.add_command(user_cli)
    app.cli.add_command(token_cli)
