"""Binding the API to the app: the OpenAPI document's settings, its security scheme, and its route's rule."""

from __future__ import annotations

from flask import Flask

from competency_portal import policy
from competency_portal.extensions import api

SETTINGS = {
    "API_TITLE": "Competency Portal API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Read-only. Every call needs a personal access token (Account → API tokens), sent as "
            "`Authorization: Bearer cpat_…`; each call is recorded in the audit trail and limited per token."
        },
        "security": [{"bearer": []}, {"clientCredentials": []}],
    },
}


def init_app(app: Flask) -> None:
    """Register the API blueprint and its documentation page."""
    from competency_portal.api import blp, pages

    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    api.init_app(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "cpat"})
    api.spec.components.security_scheme(
        "clientCredentials",
        {
            "type": "oauth2",
            "description": "For reporting tools registered by an administrator (Admin → API clients).",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/oauth/token",
                    "scopes": {
                        "frameworks": "Frameworks, their items and role profiles",
                        "figures": "The organisation's readiness and training figures, by team",
                    },
                }
            },
        },
    )
    api.spec.components.header(
        "PAGINATION_JSON",
        {
            "description": "Pagination, as JSON: total, total_pages, first_page, last_page, page, previous_page and "
            "next_page",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaginationMetadata"}}},
        },
    )
    api.register_blueprint(blp)
    app.register_blueprint(pages)
    served = app.view_functions["api-docs.openapi_json"]  # a bound method, which cannot carry a rule itself

    @policy.rule(policy.PUBLIC)  # the document is open to all, like the framework pages it describes
    def openapi_json():
        return served()

    app.view_functions["api-docs.openapi_json"] = openapi_json
