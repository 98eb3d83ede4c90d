"""The API's documentation page, drawn from the generated OpenAPI document (no script, nothing from a CDN)."""

from __future__ import annotations

from flask import render_template

from competency_portal import policy
from competency_portal.api import pages
from competency_portal.extensions import api


@pages.get("/api/docs")
@policy.rule(policy.PUBLIC)
def docs():
    """Every operation: what it answers, its parameters and responses, and how to authenticate."""
    spec = api.spec.to_dict()
    operations = []
    for path, methods in spec["paths"].items():
        shared = [_resolved(spec, p) for p in methods.get("parameters", [])]
        for method, operation in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = shared + [_resolved(spec, p) for p in operation.get("parameters", [])]
            responses = {status: _resolved(spec, r) for status, r in sorted(operation["responses"].items())}
            operations.append((path, method.upper(), operation, parameters, responses))
    return render_template("api/docs.html", spec=spec, operations=operations)


def _resolved(spec: dict, part: dict) -> dict:
    """A parameter or response, looked up in the document's components when it is a reference."""
    reference = part.get("$ref")
    if not reference:
        return part
    section, name = reference.split("/")[-2:]
    return spec["components"][section][name]
