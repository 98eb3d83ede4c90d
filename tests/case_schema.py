"""Validators for CASE 1.1 answers, from tests/case_v1p1.schema.json.

CASE has two forms of the document, item and association: inside a package (CFPckg*: no link
back to the package or document) and standalone (the document names its package, an item its
document). Both are made here from the same property lists, closed to unknown properties.
"""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

DEFS = json.loads((Path(__file__).with_name("case_v1p1.schema.json")).read_text())["$defs"]
LINK = {"$ref": "#/$defs/LinkURI"}


def _object(fields: str, required: list[str], **extra) -> dict:
    return {
        "type": "object",
        "required": required + list(extra),
        "additionalProperties": False,
        "properties": {**DEFS[fields], **extra},
    }


DOCUMENT_REQUIRED = ["identifier", "uri", "creator", "title", "lastChangeDateTime"]
ITEM_REQUIRED = ["identifier", "uri", "fullStatement", "lastChangeDateTime"]
ASSOCIATION_REQUIRED = ["identifier", "uri", "associationType", "originNodeURI", "destinationNodeURI",
                        "lastChangeDateTime"]  # fmt: skip

FORMS = {
    "package": {
        "type": "object",
        "required": ["CFPackage"],
        "additionalProperties": False,
        "properties": {
            "CFPackage": {
                "type": "object",
                "required": ["CFDocument", "CFItems", "CFAssociations"],
                "additionalProperties": False,
                "properties": {
                    "CFDocument": _object("documentFields", DOCUMENT_REQUIRED),
                    "CFItems": {"type": "array", "items": _object("itemFields", ITEM_REQUIRED)},
                    "CFAssociations": {"type": "array", "items": _object("associationFields", ASSOCIATION_REQUIRED)},
                    "CFDefinitions": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"CFItemTypes": {"type": "array", "items": {"$ref": "#/$defs/CFItemType"}}},
                    },
                    "CFRubrics": {"type": "array", "items": {"$ref": "#/$defs/CFRubric"}},
                },
            }
        },
    },
    "document": _object("documentFields", DOCUMENT_REQUIRED, CFPackageURI=LINK),
    "documents": {
        "type": "object",
        "required": ["CFDocuments"],
        "properties": {
            "CFDocuments": {
                "type": "array",
                "minItems": 1,
                "items": _object("documentFields", DOCUMENT_REQUIRED, CFPackageURI=LINK),
            }
        },
    },
    "item": _object("itemFields", ITEM_REQUIRED, CFDocumentURI=LINK),
    "item_associations": {
        "type": "object",
        "required": ["CFItem", "CFAssociations"],
        "additionalProperties": False,
        "properties": {
            "CFItem": _object("itemFields", ITEM_REQUIRED, CFDocumentURI=LINK),
            "CFAssociations": {
                "type": "array",
                "minItems": 1,
                "items": _object("associationFields", ASSOCIATION_REQUIRED),
            },
        },
    },
    "rubric": {"$ref": "#/$defs/CFRubric"},
    "item_types": {
        "type": "object",
        "required": ["CFItemTypes"],
        "properties": {"CFItemTypes": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/CFItemType"}}},
    },
}


def errors(form: str, body: dict) -> list[str]:
    """Every way `body` breaks the CASE 1.1 model for `form`, as 'path: message' lines."""
    validator = Draft202012Validator({**FORMS[form], "$defs": DEFS})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
