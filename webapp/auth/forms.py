"""WTForms forms of the login, account and token pages (CSRF comes with FlaskForm)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.auth.tokens import SCOPES
from webapp.auth.users import MIN_PASSWORD_LENGTH

USERNAME_FIELD = dict(validators=[DataRequired(), Length(max=64)],
                      render_kw={"autocomplete": "username", "autocapitalize": "none"})


def _new_password(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH,
                                                                   max=1024)],
                         render_kw={"autocomplete": "new-password"})


def _confirm(field: str = "password") -> PasswordField:
    return PasswordField("Repeat the password",
                         validators=[DataRequired(), EqualTo(field, "The passwords differ.")],
                         render_kw={"autocomplete": "new-password"})


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", **USERNAME_FIELD)
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class AccountForm(FlaskForm):
    """A new account: the first admin, a sign-up, or a user an admin creates."""

    username = StringField("Username", **USERNAME_FIELD)
    password = _new_password()
    confirm = _confirm()


class AdminCreateUserForm(FlaskForm):
    """An admin creating an account."""

    username = StringField("Username", **USERNAME_FIELD)
    password = _new_password("Initial password")
    is_admin = BooleanField("Administrator")


class ChangePasswordForm(FlaskForm):
    """The current password and a new one, twice."""

    current = PasswordField("Current password", validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = _new_password("New password")
    confirm = _confirm()


class ResetPasswordForm(FlaskForm):
    """An admin setting another user's password."""

    password = _new_password("New password")


def _at_least_one_scope(_form: FlaskForm, field: SelectMultipleField) -> None:
    """At least one scope, checked on the server: no `required` on each checkbox (a
    browser would then demand every one of them ticked)."""
    if not field.data:
        raise StopValidation("Tick at least one scope: read, write or feeds.")


class TokenForm(FlaskForm):
    """A new API token: a label, its scopes and an optional expiry date."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)],
                       render_kw={"placeholder": "e.g. home-script"})
    scopes = SelectMultipleField("Scopes", choices=[(s, s) for s in SCOPES],
                                 default=["read", "write"], validators=[_at_least_one_scope],
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    expires = DateField("Expires (optional)", validators=[Optional()])
