"""Frameworks and role profiles, as JSON (scope `frameworks`)."""

from __future__ import annotations

from flask_smorest import abort

from competency_portal import credential_context, policy
from competency_portal.api import blp
from competency_portal.api.access import require
from competency_portal.api.schemas import FrameworkOut, FrameworkQuery, FrameworkSummary, RoleOut, RoleSummary
from competency_portal.extensions import db
from competency_portal.services import api_reads


@blp.route("/frameworks", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.arguments(FrameworkQuery, location="query", as_kwargs=True)
@blp.response(200, FrameworkSummary(many=True))
@blp.paginate()
def frameworks(pagination_parameters, kind: str | None = None):
    """The current version of every framework, by title; filter by kind."""
    require("frameworks")
    found = api_reads.frameworks(db.session, credential_context.base(), kind)
    pagination_parameters.item_count = len(found)
    return found[pagination_parameters.first_item : pagination_parameters.last_item + 1]


@blp.route("/frameworks/<string:framework_id>", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.response(200, FrameworkOut)
@blp.alt_response(404, description="No framework has this id")
def framework(framework_id: str):
    """One framework's current version, with its domains and items (each with its CASE URI)."""
    require("frameworks")
    found = api_reads.framework(db.session, framework_id, credential_context.base())
    if found is None:
        abort(404, message="No framework has this id.")
    return found


@blp.route("/role-profiles", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.response(200, RoleSummary(many=True))
@blp.paginate()
def roles(pagination_parameters):
    """The current version of every role profile."""
    require("frameworks")
    found = api_reads.roles(db.session)
    pagination_parameters.item_count = len(found)
    return found[pagination_parameters.first_item : pagination_parameters.last_item + 1]


@blp.route("/role-profiles/<string:role_id>", methods=["GET"])
@policy.rule(policy.API)
@blp.etag
@blp.response(200, RoleOut)
@blp.alt_response(404, description="No role profile has this id")
def role(role_id: str):
    """One role profile, with every item it requires and the level."""
    require("frameworks")
    found = api_reads.role(db.session, role_id)
    if found is None:
        abort(404, message="No role profile has this id.")
    return found
