"""A framework's scale as a CASE CFRubric: each item a criterion, each scale level a criterion level."""

from __future__ import annotations

from competency_portal.case.parts import Published, item_title, link, timestamp, uri
from competency_portal.case.vocabulary import derived_identifier


def rubric_identifier(document_identifier: str) -> str:
    """The CFRubric's identifier, derived from its document's."""
    return derived_identifier("rubric", document_identifier)


def rubric(pub: Published, base: str) -> dict | None:
    """The scale as a CFRubric: each item a criterion, each scale level a criterion level."""
    if not pub.levels:
        return None
    version = pub.version
    when = timestamp(version.loaded_at)
    rubric_id = rubric_identifier(version.case_identifier)
    rubric_uri = uri(base, "CFRubrics", rubric_id)
    criteria = []
    for domain in version.domains:
        for item in domain.items:
            criterion_id = derived_identifier("criterion", item.case_identifier)
            levels = [
                {
                    "identifier": derived_identifier("level", item.case_identifier, str(level.value)),
                    "uri": f"{rubric_uri}#level-{item.case_identifier}-{level.value}",
                    "quality": level.label,
                    "score": level.value,
                    "position": position,
                    "rubricCriterionId": criterion_id,
                    "lastChangeDateTime": when,
                    **({"description": level.description} if level.description else {}),
                }
                for position, level in enumerate(pub.levels, start=1)
            ]
            criteria.append(
                {
                    "identifier": criterion_id,
                    "uri": f"{rubric_uri}#criterion-{item.case_identifier}",
                    "category": domain.title,
                    "description": f"{item.code}, rated on the {pub.scale_title} scale",
                    "CFItemURI": link(base, item_title(item), item.case_identifier, "CFItems"),
                    "position": len(criteria) + 1,
                    "rubricId": rubric_id,
                    "lastChangeDateTime": when,
                    "CFRubricCriterionLevels": levels,
                }
            )
    return {
        "identifier": rubric_id,
        "uri": rubric_uri,
        "title": f"{pub.scale_title}: {version.title}",
        "description": f"The {pub.scale_title} scale each item of this framework is rated on.",
        "lastChangeDateTime": when,
        "CFRubricCriteria": criteria,
    }
