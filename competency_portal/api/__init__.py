"""The JSON API: read-only, token-authenticated, described by an OpenAPI 3.1 document generated from the code.

flask-smorest builds the document (`/api/openapi.json`) from the views' marshmallow schemas, so it
cannot drift from what the API answers; tests/test_api_schemathesis.py checks every operation
against it. The views ask the same policy module as the pages whether the caller may see a person.
"""

import marshmallow as ma
from flask import Blueprint as PageBlueprint
from flask_smorest import Blueprint, pagination

MAX_PAGE = 1_000_000  # far past any real list; beyond it an offset would overflow the database's integers
_unbounded_pagination = pagination._pagination_parameters_schema_factory


def _bounded_pagination(def_page, def_page_size, def_max_page_size):
    # flask-smorest bounds page_size but not page; a page number past MAX_PAGE is refused (422), not a 500.
    schema = _unbounded_pagination(def_page, def_page_size, def_max_page_size)
    schema._declared_fields["page"] = ma.fields.Integer(load_default=def_page, validate=ma.validate.Range(1, MAX_PAGE))
    return schema


pagination._pagination_parameters_schema_factory = _bounded_pagination


class _Blueprint(Blueprint):
    def _document_pagination_metadata(self, spec, resp_doc):
        # A header's value is a string: its JSON is described as content, not as an object schema.
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = "PAGINATION_JSON"


blp = _Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Frameworks, role profiles, and the readiness of the people a token's owner may see.",
)
pages = PageBlueprint("api_pages", __name__, template_folder="templates")

from competency_portal.api import (  # noqa: E402,F401 - registers routes
    access,
    errors,
    views_docs,
    views_figures,
    views_frameworks,
    views_oauth,
    views_people,
    views_recruitment,
)
from competency_portal.api.setup import init_app  # noqa: E402

__all__ = ["blp", "init_app", "pages"]
