"""Every error the API gives is JSON: {"code", "status", "message"} (and "errors" for bad parameters)."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

from competency_portal.api import blp


@blp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    """An HTTP error as the API's JSON error body, with any headers the abort gave."""
    data = getattr(error, "data", {}) or {}
    body = {"code": error.code, "status": error.name, "message": data.get("message") or error.description}
    if data.get("messages"):
        body["errors"] = data["messages"]
    response = jsonify(body)
    response.status_code = error.code or 500
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response
