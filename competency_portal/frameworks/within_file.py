"""Checks that span keys of one framework file: unique codes and ids, what person-specification
criteria need, and assessment methods the framework names. Each problem is reported with the key
path of the offender, so the message can point at its line.
"""

from __future__ import annotations

from competency_portal.frameworks.schema import (
    STANDARD_ASSESSMENT_METHODS,
    CrosswalkSpec,
    FrameworkSpec,
    RoleProfileSpec,
    ScaleSpec,
    Spec,
    TrainingSpec,
)


def within_file_problems(spec: Spec) -> list[tuple[tuple, str]]:
    """Checks that span keys of one file: (key path, message) for each problem found."""
    found: list[tuple[tuple, str]] = []
    if isinstance(spec, FrameworkSpec):
        found += _framework_problems(spec)
    elif isinstance(spec, ScaleSpec):
        values = [level.value for level in spec.levels]
        for i, value in enumerate(values):
            if value in values[:i]:
                found.append(
                    (("levels", i, "value"), f"the value {value} is used twice; give each level its own value")
                )
            elif i and value < values[i - 1]:
                found.append((("levels", i, "value"), "levels must be listed from lowest to highest value"))
    elif isinstance(spec, CrosswalkSpec):
        seen: dict[frozenset, int] = {}
        for i, pair in enumerate(spec.pairs):
            key = frozenset((pair.a, pair.b))
            if pair.a.split(":")[0] == pair.b.split(":")[0]:
                found.append(
                    (
                        ("pairs", i),
                        "a crosswalk pairs items of two different frameworks; this pair names one framework twice",
                    )
                )
            elif key in seen:
                found.append((("pairs", i), f"this pair repeats pair {seen[key]}; remove one"))
            seen.setdefault(key, i)
    elif isinstance(spec, RoleProfileSpec):
        seen_fw: dict[str, int] = {}
        for i, req in enumerate(spec.requirements):
            if req.framework in seen_fw:
                found.append(
                    (
                        ("requirements", i, "framework"),
                        f"framework {req.framework!r} is already listed at "
                        f"requirements[{seen_fw[req.framework]}]; merge them",
                    )
                )
            seen_fw.setdefault(req.framework, i)
    elif isinstance(spec, TrainingSpec):
        seen_subject: dict[str, int] = {}
        for i, subject in enumerate(spec.subjects):
            if subject.id in seen_subject:
                found.append(
                    (
                        ("subjects", i, "id"),
                        f"subject id {subject.id!r} is already used by subjects[{seen_subject[subject.id]}]; "
                        "give each subject its own id",
                    )
                )
            seen_subject.setdefault(subject.id, i)
    return found


def _framework_problems(spec: FrameworkSpec) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    domain_codes: dict[str, int] = {}
    item_codes: dict[str, tuple] = {}
    methods = set(STANDARD_ASSESSMENT_METHODS) | set(spec.assessment_methods)
    is_spec = spec.kind == "person_specification"
    for d, domain in enumerate(spec.domains):
        if domain.code in domain_codes:
            found.append(
                (
                    ("domains", d, "code"),
                    f"domain code {domain.code!r} is already used by domains[{domain_codes[domain.code]}]; give "
                    "each domain its own code",
                )
            )
        domain_codes.setdefault(domain.code, d)
        for i, item in enumerate(domain.items):
            loc = ("domains", d, "items", i)
            if item.code in item_codes:
                first = item_codes[item.code]
                found.append(
                    (
                        (*loc, "code"),
                        f"item code {item.code!r} is already used at domains[{first[1]}].items[{first[3]}]; "
                        "codes must be unique within the framework",
                    )
                )
            item_codes.setdefault(item.code, loc)
            if is_spec:
                if item.requirement is None:
                    found.append(
                        (
                            loc,
                            "a person-specification criterion needs 'requirement: essential' or 'requirement: "
                            "desirable'; add it",
                        )
                    )
                if not item.assessed_by:
                    found.append(
                        (
                            loc,
                            "a person-specification criterion needs 'assessed_by' (e.g. [application, "
                            "interview]); add it",
                        )
                    )
            else:
                if item.requirement is not None:
                    found.append(
                        (
                            (*loc, "requirement"),
                            f"'requirement' is for person-specification criteria, and this is a {spec.kind}; remove it",
                        )
                    )
                if item.assessed_by:
                    found.append(
                        (
                            (*loc, "assessed_by"),
                            f"'assessed_by' is for person-specification criteria, and this is a {spec.kind}; remove it",
                        )
                    )
            for j, method in enumerate(item.assessed_by or []):
                if method not in methods:
                    found.append(
                        (
                            (*loc, "assessed_by", j),
                            f"{method!r} is not an assessment method; use one of {', '.join(sorted(methods))}, "
                            "or list it under the framework's 'assessment_methods'",
                        )
                    )
            for j, note in enumerate(item.check):
                found.append(
                    (
                        (*loc, "check", j),
                        f"the importer asks for this to be checked: {note}. Look at the item, correct it if "
                        "needed, then remove this line from 'check'",
                    )
                )
            if len(set(item.evidence_types)) != len(item.evidence_types):
                found.append(((*loc, "evidence_types"), "an evidence type is listed twice; list each once"))
    return found
