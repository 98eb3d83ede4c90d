"""Frameworks published as CASE 1.1, at the REST binding's paths (`/ims/case/v1p1/...`), readable by anyone.

Answers are JSON with an ETag (a repeat request gets 304), and may be read from other sites'
pages (CORS), as the framework pages may be read by anyone. An unknown or malformed identifier
gets CASE's own error body (imsx_StatusInfo) with 404.
"""

from __future__ import annotations

import uuid

from flask import current_app, json, request

from competency_portal import policy
from competency_portal.case import package as case
from competency_portal.case.rubric import rubric
from competency_portal.case.vocabulary import PATH
from competency_portal.catalogue import bp
from competency_portal.extensions import db
from competency_portal.services import case_publishing


def case_base() -> str:
    """Where CASE objects live: the configured public address (else this request's), plus CASE's path."""
    root = current_app.config.get("PUBLIC_URL") or request.url_root
    return root.rstrip("/") + PATH


def _answer(body: dict, status: int = 200, download: str | None = None):
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, indent=1), status=status, mimetype="application/json"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    if download:
        response.headers["Content-Disposition"] = f'attachment; filename="{download}"'
    if status == 200:
        response.headers["Cache-Control"] = "public, max-age=300"
        response.add_etag()
        response.make_conditional(request)
    return response


def _unknown(identifier: str):
    """CASE's 'unknown object' answer."""
    return _answer(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": f"No framework, item or rubric here has the identifier {identifier[:60]!r}.",
            "imsx_codeMinor": {
                "imsx_codeMinorField": [
                    {"imsx_codeMinorFieldName": "sourcedId", "imsx_codeMinorFieldValue": "unknownobject"}
                ]
            },
        },
        status=404,
    )


def _valid(identifier: str) -> str | None:
    """The identifier in the stored (lower-case) form, or None if it is not a UUID."""
    try:
        canonical = str(uuid.UUID(identifier))
    except ValueError:
        return None
    return canonical if canonical == identifier.lower() else None


@bp.get(f"{PATH}/CFDocuments")
@policy.rule(policy.PUBLIC)
def case_documents():
    """getAllCFDocuments: every version of every framework, earlier ones marked Deprecated."""
    base = case_base()
    return _answer({"CFDocuments": [case.document(pub, base) for pub in case_publishing.documents(db.session)]})


@bp.get(f"{PATH}/CFDocuments/<document_uuid>")
@policy.rule(policy.PUBLIC)
def case_document(document_uuid: str):
    """getCFDocument."""
    identifier = _valid(document_uuid)
    pub = case_publishing.by_document(db.session, identifier) if identifier else None
    return _answer(case.document(pub, case_base())) if pub else _unknown(document_uuid)


@bp.get(f"{PATH}/CFPackages/<document_uuid>")
@policy.rule(policy.PUBLIC)
def case_package(document_uuid: str):
    """getCFPackage: the whole framework version; `?download=1` saves it as a file."""
    identifier = _valid(document_uuid)
    pub = case_publishing.by_document(db.session, identifier) if identifier else None
    if pub is None:
        return _unknown(document_uuid)
    name = f"{pub.slug}-revision-{pub.version.revision}.case.json" if request.args.get("download") else None
    return _answer(case.package(pub, case_base()), download=name)


@bp.get(f"{PATH}/CFItems/<item_uuid>")
@policy.rule(policy.PUBLIC)
def case_item(item_uuid: str):
    """getCFItem: an item or a domain."""
    identifier = _valid(item_uuid)
    pub = case_publishing.by_item(db.session, identifier) if identifier else None
    found = case.find_item(pub, identifier, case_base()) if pub else None
    return _answer(found) if found else _unknown(item_uuid)


@bp.get(f"{PATH}/CFItemAssociations/<item_uuid>")
@policy.rule(policy.PUBLIC)
def case_item_associations(item_uuid: str):
    """getCFItemAssociations: the item and every association to or from it."""
    identifier = _valid(item_uuid)
    pub = case_publishing.by_item(db.session, identifier) if identifier else None
    found = case.item_associations(pub, identifier, case_base()) if pub else None
    return _answer(found) if found else _unknown(item_uuid)


@bp.get(f"{PATH}/CFRubrics/<rubric_uuid>")
@policy.rule(policy.PUBLIC)
def case_rubric(rubric_uuid: str):
    """getCFRubric: a framework version's scale."""
    identifier = _valid(rubric_uuid)
    pub = case_publishing.by_rubric(db.session, identifier) if identifier else None
    found = rubric(pub, case_base()) if pub else None
    return _answer(found) if found else _unknown(rubric_uuid)


@bp.get(f"{PATH}/CFItemTypes/<type_uuid>")
@policy.rule(policy.PUBLIC)
def case_item_type(type_uuid: str):
    """getCFItemType: Domain, Competency, Duty or Criterion."""
    found = case.item_type_named(case_base(), type_uuid)
    return _answer({"CFItemTypes": [found]}) if found else _unknown(type_uuid)
