"""References between files: role profiles, crosswalks, frameworks and training files must name
frameworks, items, scales and roles that exist, in the files being loaded or already loaded.
"""

from __future__ import annotations

from competency_portal.frameworks.problems import FrameworkFileError, Problem, key_path
from competency_portal.frameworks.validate import Bundle, Catalogue, Parsed


def check_references(bundle: Bundle, loaded: Catalogue) -> None:
    """Refuse role profiles, crosswalks, frameworks and training files that name what does not exist."""
    catalogue = loaded.overlay(bundle)
    problems: list[Problem] = []

    def add(parsed: Parsed, loc: tuple, message: str) -> None:
        problems.append(Problem(parsed.document.name, message, key_path(loc), parsed.document.line_of(loc)))

    for parsed in bundle.frameworks.values():
        if parsed.spec.scale not in catalogue.scales:
            add(
                parsed,
                ("scale",),
                f"scale {parsed.spec.scale!r} is not loaded or in these files; add a scale file with that id or "
                "use an existing scale",
            )
    for parsed in bundle.roles.values():
        for r, req in enumerate(parsed.spec.requirements):
            loc = ("requirements", r)
            fw = catalogue.frameworks.get(req.framework)
            if fw is None:
                add(
                    parsed,
                    (*loc, "framework"),
                    f"framework {req.framework!r} does not exist; check the id against 'frameworks list'",
                )
                continue
            codes = {code for items in fw["domains"].values() for code in items}
            levels = catalogue.scales.get(fw["scale"], set())
            targets = [((*loc, "target"), req.target)]
            for code, level in req.domains.items():
                if code not in fw["domains"]:
                    add(parsed, (*loc, "domains", code), f"framework {req.framework!r} has no domain {code!r}")
                targets.append(((*loc, "domains", code), level))
            for code, level in req.items.items():
                if code not in codes:
                    add(parsed, (*loc, "items", code), f"framework {req.framework!r} has no item {code!r}")
                targets.append(((*loc, "items", code), level))
            for i, code in enumerate(req.exclude):
                if code not in codes:
                    add(parsed, (*loc, "exclude", i), f"framework {req.framework!r} has no item {code!r}")
            for where, level in targets:
                if levels and level not in levels:
                    add(
                        parsed,
                        where,
                        f"{level} is not a level of the {fw['scale']!r} scale; use one of "
                        f"{', '.join(map(str, sorted(levels)))}",
                    )
    for parsed in bundle.training.values():
        for s, subject in enumerate(parsed.spec.subjects):
            for role in subject.roles:
                if role not in catalogue.roles:
                    add(
                        parsed,
                        ("subjects", s, "roles", role),
                        f"role profile {role!r} does not exist; check the id against the files in frameworks/roles/",
                    )
    for parsed in bundle.crosswalks.values():
        for p, pair in enumerate(parsed.spec.pairs):
            for side in ("a", "b"):
                framework, code = getattr(pair, side).split(":", 1)
                fw = catalogue.frameworks.get(framework)
                if fw is None:
                    add(parsed, ("pairs", p, side), f"framework {framework!r} does not exist; check the id")
                elif not any(code in items for items in fw["domains"].values()):
                    add(parsed, ("pairs", p, side), f"framework {framework!r} has no item {code!r}; check the code")
    if problems:
        raise FrameworkFileError(problems)
