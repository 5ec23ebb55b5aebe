"""The Flask web app: staff pages and the JSON API, one client of the engine's services."""
from __future__ import annotations

from flask import Flask, request

from engine.store.database import Database

from .config import default_config, instance_path, product_clock
from .context import EngineContext
from .extensions import babel, csrf, login_manager


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(instance_path()))
    app.config.update(default_config())
    app.config.update(config or {})
    app.json.ensure_ascii = False
    from . import logs
    logs.init_app(app)  # plain lines, or JSON with ZHIFA_LOG_FORMAT=json

    clock = app.config.get("ZHIFA_CLOCK") or product_clock()
    database = app.config.get("ZHIFA_DATABASE") or Database(app.config["ZHIFA_DATABASE_URL"])
    app.extensions["zhifa"] = EngineContext(database=database, clock=clock)

    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)

    from . import auth, errors, filters, i18n, nav, security
    from .admin import admin_blueprint
    from .api import api_blueprint
    from .designer import designer_blueprint
    from .ops import ops_blueprint
    from .pages import pages_blueprint
    from .public import public_blueprint

    auth.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    i18n.init_app(app)
    nav.init_app(app)
    security.init_app(app)  # CSP, no framing, referrer, nosniff on every response; /favicon.ico
    app.register_blueprint(api_blueprint)
    app.register_blueprint(pages_blueprint)
    app.register_blueprint(public_blueprint)  # 行政执法公示: no login
    app.register_blueprint(designer_blueprint)  # 流程设计: designers and admins
    app.register_blueprint(admin_blueprint)  # 管理与监督: admins and supervisors
    app.register_blueprint(ops_blueprint)  # /healthz, /metrics
    csrf.exempt(api_blueprint)  # the API authenticates with bearer tokens or checks the CSRF header itself

    @app.context_processor
    def inject_role_titles():
        from engine.roles import ROLE_TITLES
        return {"ROLE_TITLES": ROLE_TITLES}

    return app


def _select_locale():
    """Chinese by default; English for those who chose it (a cookie set from the page footer)."""
    return "en" if request.cookies.get("lang") == "en" else "zh_Hans_CN"
