"""A loaded framework version as a CASE 1.1 package, and its parts as CASE's single-object answers.

The document, each domain and each item keep the random identifier they were given when loaded,
so an item's URI (`<base>/CFItems/<identifier>`) never changes and is what credentials align to.
Domains are CFItems of type "Domain" (isChildOf the document); items are isChildOf their domain.
Crosswalk pairs are exactMatchOf, and an item of an earlier version is replacedBy the item with
the same code in the next one. The scale is a CFRubric: one criterion per item, one level per
scale level. Facts CASE has no field for (slug, kind, scale, person-specification rules) are kept
under `extensions.nhsCompetencyPortal`, so `reading` gives back exactly the framework.
"""

from __future__ import annotations

from competency_portal.case.parts import LANGUAGE, Node, Published, item_title, link, timestamp, uri
from competency_portal.case.rubric import rubric
from competency_portal.case.vocabulary import (
    CASE_VERSION,
    DEFINITIONS_CHANGED,
    DOMAIN_TYPE,
    EXTENSION,
    ITEM_TYPE_DESCRIPTIONS,
    ITEM_TYPES,
    derived_identifier,
)
from competency_portal.models import Domain, FrameworkVersion, Item

__all__ = ["Published", "associations", "document", "find_item", "item_associations", "package", "timestamp"]


def _node(base: str, node: Node) -> dict:
    target = "CFDocument" if node.collection == "CFDocuments" else "CFItem"
    return {**link(base, node.title, node.identifier, node.collection), "targetType": target}


def _facts(version: FrameworkVersion, slug: str) -> dict:
    source = {
        "document": version.source_document,
        "organisation": version.source_organisation,
        "post": version.source_post,
        "band": version.source_band,
        "date": version.source_date,
        "status": version.source_status,
    }
    return {
        "id": slug,
        "kind": version.kind.value,
        "scale": version.scale_slug,
        "revision": version.revision,
        "source": {key: value for key, value in source.items() if value is not None},
        "assessmentMethods": list(version.assessment_methods or []),
    }


def document(pub: Published, base: str, standalone: bool = True) -> dict:
    """The CFDocument; standalone (its own answer) it also names its package."""
    version = pub.version
    out = {
        "identifier": version.case_identifier,
        "uri": uri(base, "CFDocuments", version.case_identifier),
        "creator": version.source_organisation,
        "title": version.title,
        "lastChangeDateTime": timestamp(version.loaded_at),
        "description": version.kind.label + (f": {version.source_post}" if version.source_post else ""),
        "version": version.version_label,
        "adoptionStatus": "Adopted" if pub.is_current else "Deprecated",
        "frameworkType": version.kind.label,
        "caseVersion": CASE_VERSION,
        "language": LANGUAGE,
        "extensions": {EXTENSION: _facts(version, pub.slug)},
    }
    if version.notes:
        out["notes"] = version.notes
    if standalone:
        out["CFPackageURI"] = link(base, version.title, version.case_identifier, "CFPackages")
    return out


def _item_type(base: str, name: str) -> dict:
    return link(base, name, derived_identifier("item-type", name), "CFItemTypes")


def domain_item(pub: Published, domain: Domain, position: int, base: str, standalone: bool = True) -> dict:
    """A domain as a CFItem of type Domain."""
    out = {
        "identifier": domain.case_identifier,
        "uri": uri(base, "CFItems", domain.case_identifier),
        "fullStatement": domain.title,
        "humanCodingScheme": domain.code,
        "listEnumeration": str(position),
        "CFItemType": DOMAIN_TYPE,
        "CFItemTypeURI": _item_type(base, DOMAIN_TYPE),
        "language": LANGUAGE,
        "lastChangeDateTime": timestamp(pub.version.loaded_at),
    }
    if domain.description:
        out["notes"] = domain.description
    return _in_document(out, pub, base, standalone)


def item_item(pub: Published, item: Item, position: int, base: str, standalone: bool = True) -> dict:
    """An item (competency, duty or criterion) as a CFItem."""
    kind = ITEM_TYPES[pub.version.kind.value]
    facts = {
        "requirement": item.requirement,
        "assessedBy": list(item.assessed_by or []) or None,
        "reviewMonths": item.review_months,
        "evidenceTypes": list(item.evidence_types or []) or None,
    }
    out = {
        "identifier": item.case_identifier,
        "uri": uri(base, "CFItems", item.case_identifier),
        "fullStatement": item.statement,
        "humanCodingScheme": item.code,
        "listEnumeration": str(position),
        "CFItemType": kind,
        "CFItemTypeURI": _item_type(base, kind),
        "language": LANGUAGE,
        "lastChangeDateTime": timestamp(pub.version.loaded_at),
        "extensions": {EXTENSION: {key: value for key, value in facts.items() if value is not None}},
    }
    if item.requirement:
        out["alternativeLabel"] = item.requirement.capitalize()
    if item.guidance:
        out["notes"] = item.guidance
    return _in_document(out, pub, base, standalone)


def _in_document(out: dict, pub: Published, base: str, standalone: bool) -> dict:
    if standalone:
        out["CFDocumentURI"] = link(base, pub.version.title, pub.version.case_identifier, "CFDocuments")
    return out


def _association(base: str, kind: str, origin: Node, destination: Node, when: str, **extra) -> dict:
    identifier = derived_identifier(kind, origin.identifier, destination.identifier)
    # Not stored on their own: an item's associations are read at CFItemAssociations, the document's in its package.
    home = ("CFPackages" if origin.collection == "CFDocuments" else "CFItemAssociations", origin.identifier)
    out = {
        "identifier": identifier,
        "uri": uri(base, *home),
        "associationType": kind,
        "originNodeURI": _node(base, origin),
        "destinationNodeURI": _node(base, destination),
        "lastChangeDateTime": when,
    }
    out.update({key: value for key, value in extra.items() if value is not None})
    return out


def associations(pub: Published, base: str) -> list[dict]:
    """The tree (isChildOf, in order), then crosswalk pairs and version links."""
    version = pub.version
    when = timestamp(version.loaded_at)
    doc = Node(version.case_identifier, version.title, "CFDocuments")
    out = []
    for d_pos, domain in enumerate(version.domains, start=1):
        d_node = Node(domain.case_identifier, domain.title)
        out.append(_association(base, "isChildOf", d_node, doc, when, sequenceNumber=d_pos))
        for i_pos, item in enumerate(domain.items, start=1):
            out.append(_association(base, "isChildOf", Node(item.case_identifier, item_title(item)), d_node, when,
                                    sequenceNumber=i_pos))  # fmt: skip
    for extra in pub.links:
        out.append(_association(base, extra.association_type, extra.origin, extra.destination, when, notes=extra.note))
    return out


def item_type(base: str, name: str) -> dict:
    """The CFItemType definition of Domain, Competency, Duty or Criterion (the same on every portal)."""
    return {
        **_item_type(base, name),
        "description": ITEM_TYPE_DESCRIPTIONS[name],
        "hierarchyCode": "1" if name == DOMAIN_TYPE else "2",
        "lastChangeDateTime": DEFINITIONS_CHANGED,
    }


def item_type_named(base: str, identifier: str) -> dict | None:
    """The CFItemType with this identifier, if it is one of ours."""
    return next(
        (item_type(base, n) for n in ITEM_TYPE_DESCRIPTIONS if _item_type(base, n)["identifier"] == identifier), None
    )


def package(pub: Published, base: str) -> dict:
    """The whole CFPackage of one framework version."""
    items = []
    for d_pos, domain in enumerate(pub.version.domains, start=1):
        items.append(domain_item(pub, domain, d_pos, base, standalone=False))
        items += [item_item(pub, item, i_pos, base, standalone=False) for i_pos, item in enumerate(domain.items, 1)]
    body = {
        "CFDocument": document(pub, base, standalone=False),
        "CFItems": items,
        "CFAssociations": associations(pub, base),
        "CFDefinitions": {
            "CFItemTypes": [item_type(base, n) for n in (DOMAIN_TYPE, ITEM_TYPES[pub.version.kind.value])]
        },
    }
    found = rubric(pub, base)
    if found:
        body["CFRubrics"] = [found]
    return {"CFPackage": body}


def item_associations(pub: Published, identifier: str, base: str) -> dict | None:
    """CASE's answer for one CFItem's associations: the item, and every association to or from it."""
    found = find_item(pub, identifier, base)
    if found is None:
        return None
    related = [
        {key: value for key, value in a.items() if key != "CFDocumentURI"}
        for a in associations(pub, base)
        if identifier in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
    ]
    return {"CFItem": found, "CFAssociations": related}


def find_item(pub: Published, identifier: str, base: str) -> dict | None:
    """The standalone CFItem with this identifier (a domain or an item), if it is in this version."""
    for d_pos, domain in enumerate(pub.version.domains, start=1):
        if domain.case_identifier == identifier:
            return domain_item(pub, domain, d_pos, base)
        for i_pos, item in enumerate(domain.items, start=1):
            if item.case_identifier == identifier:
                return item_item(pub, item, i_pos, base)
    return None
