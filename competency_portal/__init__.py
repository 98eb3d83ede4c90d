"""The Competency Portal: competency frameworks, evidence and sign-off for NHS mental-health services."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader

from competency_portal import cli, config, security
from competency_portal.extensions import csrf, db, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the instance folder (or `test_config`), then the environment."""
    app = Flask(
        __name__,
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

    # NHS.UK frontend macros need ChainableUndefined; our templates come first.
    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined}
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(PROJECT_ROOT / "templates")),
        PackageLoader("nhsuk_frontend_jinja"),
    ])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    security.init_app(app)
    cli.register(app)

    from competency_portal.catalogue import bp as catalogue_bp
    from competency_portal.main import bp as main_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(catalogue_bp)
    return app
