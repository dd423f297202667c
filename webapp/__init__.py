"""The app factory: the one place that wires config, extensions, blueprints and the CLI."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask_openapi3 import OpenAPI

API_SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
}


def create_app(config: dict[str, Any] | None = None) -> OpenAPI:
    """Create and configure the web application.

    Everything is imported here, not at the top: a process that only needs a light
    module of the package (`rq cron` reads webapp.config) does not load Flask.
    """
    import click
    from flask_openapi3 import Info, OpenAPI
    from werkzeug.middleware.proxy_fix import ProxyFix

    from webapp.api.validation import validation_error_response
    from webapp.config import load_config
    from webapp.extensions import csrf, db, login_manager
    from webapp.pages.routing import DatabaseIdConverter

    instance_path = os.environ.get("INSTANCE_PATH") or os.path.join(os.getcwd(), "instance")
    app = OpenAPI(
        __name__,
        info=Info(title="Anime watchlist & auto-download API", version="1.0.0"),
        security_schemes=API_SECURITY_SCHEMES,
        validation_error_status=422,
        validation_error_callback=validation_error_response,
        doc_prefix="/openapi",
        template_folder="../templates",
        static_folder="../static",
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)

    app.url_map.converters["id"] = DatabaseIdConverter
    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)

    _register_blueprints(app)
    _register_cli(app)
    from webapp.infra.headers import install as install_security_headers

    install_security_headers(app)

    if app.config.get("CHECK_SCHEMA", True) and click.get_current_context(silent=True) is None:
        from webapp.infra.schema_check import ensure_schema_current

        ensure_schema_current(db.engine)
    return app


def _register_blueprints(app: OpenAPI) -> None:
    from webapp.api import register_api
    from webapp.auth import bp as auth_bp
    from webapp.feeds import register_feeds
    from webapp.infra.health import bp as health_bp
    from webapp.pages import bp as pages_bp
    from webapp.pages import register_error_pages

    app.register_blueprint(auth_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(health_bp)
    register_api(app)
    register_feeds(app)
    register_error_pages(app)  # after the API's handler, which it wraps


def _register_cli(app: OpenAPI) -> None:
    from webapp.auth.cli import register_commands
    from webapp.infra.schema_check import db_cli
    from webapp.infra.site_cli import sites_cli

    app.cli.add_command(db_cli)
    app.cli.add_command(sites_cli)
    register_commands(app)
