"""A supervisor's team matrix as an XLSX workbook.

Sheet "Team by domain": one row per supervisee, with readiness, lapsing count and the share of each
domain's required items met. Sheet "Items": one row per supervisee and required item.

Written by `competency_portal.exports`, which keeps cells from running as formulas.
"""

from __future__ import annotations

from competency_portal import exports
from competency_portal.models import User
from competency_portal.readiness.model import Readiness, Status


def build(people: list[User], results: dict[int, Readiness], titles: dict[str, str]) -> bytes:
    """The workbook's bytes."""
    domains: list[tuple[str, str]] = []
    for r in results.values():
        for d in r.domains:
            if (d.framework, d.domain) not in domains:
                domains.append((d.framework, d.domain))
    book, matrix = exports.workbook()
    matrix.title = "Team by domain"
    rows = []
    for p in people:
        r = results.get(p.id)
        role = titles.get(p.target_role, p.target_role) if p.target_role else "no target role"
        if r is None:
            rows.append([p.name, role, None, None, None, None] + [None] * len(domains))
            continue
        by = {(d.framework, d.domain): d for d in r.domains}
        rows.append(
            [p.name, role, round(r.share * 100), r.met, r.required, len(r.lapsing())]
            + [round(by[k].share * 100) if k in by else None for k in domains]
        )
    exports.write_sheet(
        matrix,
        [
            "Person",
            "Target role",
            "Readiness (% of required items met)",
            "Items met",
            "Items required",
            "Lapsing within 90 days",
        ]
        + [f"{d} (% met)" for _, d in domains],
        rows,
        widths=[28, 30, 16, 10, 10, 12] + [18] * len(domains),
        freeze="B2",
    )

    items = exports.add_sheet(book, "Items")
    item_rows = []
    for p in people:
        r = results.get(p.id)
        for i in r.items if r else []:
            item_rows.append(
                [
                    p.name,
                    i.required.framework,
                    i.required.domain,
                    i.required.code,
                    i.required.statement,
                    i.required.target,
                    i.verified,
                    i.self_level,
                    i.status.label,
                    i.expires_on.isoformat() if i.expires_on else None,
                    "yes" if i.status in (Status.MET, Status.LAPSING) else "no",
                ]
            )
    exports.write_sheet(
        items,
        [
            "Person",
            "Framework",
            "Domain",
            "Item",
            "Statement",
            "Target level",
            "Verified level",
            "Self-assessed level",
            "Status",
            "Verification out of date on",
            "Met",
        ],
        item_rows,
        widths=[28, 30, 30, 10, 60, 10, 10, 12, 20, 16, 8],
        freeze="B2",
    )
    return exports.xlsx_bytes(book)
