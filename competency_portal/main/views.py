"""Home, accessibility statement, health check and the error pages."""

from flask import render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from competency_portal import policy
from competency_portal.extensions import db
from competency_portal.main import bp
from competency_portal.services import catalogue
from competency_portal.storage import StorageUnavailable


@bp.get("/")
@policy.rule(policy.PUBLIC)
def home():
    """What the portal is, and where to start."""
    return render_template("main/home.html", frameworks=catalogue.framework_summaries(db.session))


@bp.get("/accessibility")
@policy.rule(policy.PUBLIC)
def accessibility():
    """The accessibility statement."""
    return render_template("main/accessibility.html")


@bp.get("/health")
@policy.rule(policy.PUBLIC)
def health():
    """For load balancers: 200 when the database answers."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Every HTTP error as an NHS-styled page that says what happened and what to do."""
    return render_template("main/error.html", error=error), error.code


@bp.app_errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """A form whose token is missing or stale: nothing was saved; say so plainly and how to recover."""
    return render_template("main/error.html", error=error, form_expired=True), 400


@bp.app_errorhandler(StorageUnavailable)
def storage_unavailable(error: StorageUnavailable):
    """The file store (an S3 bucket) did not answer: nothing was saved; say to try again."""
    from flask import current_app

    db.session.rollback()  # an upload made for this request is removed with its transaction
    current_app.logger.error("file store unavailable: %s", error)
    unavailable = ServiceUnavailable(
        "The store of attached files did not answer, so nothing was saved or sent. Try again in a few minutes."
    )
    return render_template("main/error.html", error=unavailable), 503


@bp.app_errorhandler(Exception)
def server_error(error: Exception):
    """An unexpected failure: log it, roll back, and show a calm page with no traceback."""
    from flask import current_app

    db.session.rollback()
    current_app.logger.exception("Unhandled error")
    return render_template("main/error.html", error=None), 500
