"""The Competency Portal: competency frameworks, evidence and sign-off for NHS mental-health services."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from werkzeug.routing import IntegerConverter

from competency_portal import assets, cli, clock, config, jobs, policy, security, storage, throttling
from competency_portal.extensions import csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BoundedInt(IntegerConverter):
    """Route integers that fit a 32-bit database column; larger ones match no route (404)."""

    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the instance folder (or `test_config`), then the environment."""
    app = Flask(
        __name__,
        # PORTAL_INSTANCE_PATH moves the instance folder (its database, uploads and import staging)
        # out of the checkout: the test suite points it at a temporary folder.
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config.defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    app.config.update(config.from_environment(os.environ))
    if test_config is not None:
        # A test's own settings win over the environment, except the database it is told to use.
        app.config.update({k: v for k, v in test_config.items() if k != "SQLALCHEMY_DATABASE_URI"})
    config.check(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    # NHS.UK frontend macros need ChainableUndefined; our templates come first. Their macros live in
    # .jinja files, which Flask would not autoescape: text passed to a macro would be written as raw HTML.
    app.url_map.converters["int"] = BoundedInt  # ids beyond the database's integer range are 404s
    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined, "autoescape": True}
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PackageLoader("nhsuk_frontend_jinja"),
        ]
    )

    db.init_app(app)
    _trust_proxies(app)
    throttling.init_app(app)
    _keep_readiness_rollup()
    jobs.init_app(app)  # slow work goes to the queue when REDIS_URL is set, else runs after commit
    storage.init_app(app)  # uploads a crashed process left half-saved are settled before serving
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    _init_login(app)
    _init_sign_in_providers(app)
    security.init_app(app)
    _layout_context(app)
    _notification_links()
    policy.init_app(app, lambda: db.session, clock.today)
    cli.register(app)
    _register_blueprints(app)
    _init_api(app)
    assets.init_app(app)
    unruled = policy.check_routes(app)
    if unruled:
        raise RuntimeError(f"routes with no policy rule: {', '.join(unruled)}; add @policy.rule(...) to each")
    if app.config.get("FREEZE_GC_AT_START", not app.testing):
        _freeze_startup_objects()
    return app


def _trust_proxies(app: Flask) -> None:
    # Behind a reverse proxy every request comes from the proxy's address; the per-address sign-in
    # limit needs the client's, which only the configured number of proxies may tell us.
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _freeze_startup_objects() -> None:
    # What start-up made (modules, plotly's templates, the app) lives as long as the process, yet
    # Python's cyclic collector re-scans it in every full collection: about 70 ms, every few
    # requests of a large page (a team's heatmap's p95 was 3 times its median). Frozen, it is
    # skipped. Tests build an app per test and leave this off, so their apps can be collected.
    gc.collect()
    gc.freeze()


def _keep_readiness_rollup() -> None:
    from competency_portal.readiness import rollup

    rollup.install()  # every session keeps the precomputed readiness facts in step with its writes


def _init_login(app: Flask) -> None:
    from flask import g

    from competency_portal.services.people import load_session_user

    @app.before_request
    def _fresh_request_globals() -> None:
        # Flask-Login caches the user, and Flask-WTF the CSRF token, on `g`. When one app context
        # spans several requests (the test client inside a test's context) those caches would
        # outlive a sign-out or a new session; each request starts with an empty `g`.
        for name in list(vars(g)):
            delattr(g, name)

    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(identity: str):
        return load_session_user(db.session, identity)


def _init_sign_in_providers(app: Flask) -> None:
    from competency_portal.auth import oidc_client

    oidc_client.init_app(app)


def _init_api(app: Flask) -> None:
    from competency_portal.api import init_app

    init_app(app)


def _register_blueprints(app: Flask) -> None:
    from competency_portal.admin import bp as admin_bp
    from competency_portal.appraisal import bp as appraisal_bp
    from competency_portal.auth import bp as auth_bp
    from competency_portal.catalogue import bp as catalogue_bp
    from competency_portal.credentials import bp as credentials_bp
    from competency_portal.dashboards import bp as dashboards_bp
    from competency_portal.evidence import bp as evidence_bp
    from competency_portal.main import bp as main_bp
    from competency_portal.recruitment import bp as recruitment_bp
    from competency_portal.supervision import bp as supervision_bp
    from competency_portal.training import bp as training_bp

    for bp in (
        main_bp,
        auth_bp,
        catalogue_bp,
        evidence_bp,
        credentials_bp,
        supervision_bp,
        admin_bp,
        dashboards_bp,
        training_bp,
        appraisal_bp,
        recruitment_bp,
    ):
        app.register_blueprint(bp)


def _layout_context(app: Flask) -> None:
    """What the layout needs on every page: the navigation a person may see, unread messages."""
    from flask_login import current_user

    from competency_portal.services import notify

    @app.context_processor
    def layout() -> dict:
        if not current_user.is_authenticated:
            return {"nav_rights": policy.NO_NAVIGATION, "unread_notifications": 0}
        return {
            "nav_rights": policy.navigation(db.session, current_user, clock.today()),
            "unread_notifications": notify.unread_count(db.session, current_user.id),
        }


def _notification_links() -> None:
    from competency_portal.main.links import target_url
    from competency_portal.services import notify

    notify.resolve_links_with(target_url)  # emails carry the link to what a notification is about
