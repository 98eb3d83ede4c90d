"""`python -m bench [--scale S ...] [--repeats N]`: build or reuse the datasets, measure, report.

By default it measures at 1/100 scale and at full scale (10,000 staff), prints one table with
both query counts and whether they are equal, and writes bench/results/latest.json:
`{"dataset": {...}, "pages": {name: {p50_ms, p95_ms, queries, bare_sql_ms, ratio}}}` for the
largest scale, plus `small` (the same for the smallest scale, when there are two), `transfer` (the
bytes a browser fetches for the staff dashboard, a chart page, on a first and a second visit:
bench/transfer.py), `checks` (the targets, met or not) and `notes`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import datetime

from bench import archive, database
from bench.generate import Params
from bench.measure import HEADERS, measure, pages, signed_in_client
from bench.transfer import NoBrowser, measure_transfer

PERSON_P95_MS, ORGANISATION_P95_MS, MAX_RATIO = 150, 2000, 3
PAGE_KEYS = ("p50_ms", "p95_ms", "queries", "bare_sql_ms", "ratio")


def machine() -> dict:
    """What the numbers were measured on."""
    memory = None
    try:
        with open("/proc/meminfo") as f:
            memory = f"{int(f.readline().split()[1]) // 1024} MiB"
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def run_scale(scale: float, repeats: int, database_url: str | None = None, say=print, transfer: bool = False) -> dict:
    """Build or reuse one scale's dataset and measure every page: {"dataset", "pages", "answered"},
    and with `transfer` the staff dashboard's bytes in a browser ("transfer")."""
    target = database.target_for(scale, database_url)
    app = database.app_for(target)
    params = Params(scale=scale)
    dataset, seconds, reused = database.ensure(app, target, params, say)
    say(f"  {target.label}: {'reused' if reused else 'generated'} ({seconds:g} s to generate); measuring...")
    run = measure_dataset(app, dataset, scale, seconds, reused, repeats, say)
    if transfer:
        run["transfer"] = chart_page_transfer(app, dataset, say)
    with app.app_context():
        database.db.engine.dispose()
    return run


def measure_dataset(
    app, dataset, scale: float, seconds: float, reused: bool, repeats: int, say=print, warmup: int = 2
) -> dict:
    """Measure every page on a dataset already in the app's database: {"dataset", "pages", "answered"}."""
    measured = measure(app, dataset, repeats, say, warmup)
    with app.app_context():
        dialect = database.db.engine.dialect.name
    c = dataset.counts
    block = {
        "staff": c["staff"],
        "teams": c["teams"],
        "evidence": c["evidence"],
        "links": c["links"],
        "sign_offs": c["sign_offs"],
        "sign_off_items": c["sign_off_items"],
        "self_assessments": c["self_assessments"],
        "training_records": c["training_records"],
        "vacancies": c["vacancies"],
        "max_applications": c["max_applications"],
        "database": dialect,
        "scale": scale,
        "generation_seconds": seconds,
        "reused": reused,
        "machine": machine(),
    }
    answered = {
        name: {"status": r["status"], "missing": r["missing"], "requests": r["requests"]}
        for name, r in measured.items()
    }
    return {
        "dataset": block,
        "pages": {n: {k: r[k] for k in PAGE_KEYS} for n, r in measured.items()},
        "answered": answered,
    }


def chart_page_transfer(app, dataset, say=print, browser=None) -> dict:
    """The staff dashboard's bytes on a first and a second visit, or why they were not measured."""
    staff = dataset.people["staff"]
    cookie = signed_in_client(app, staff).get_cookie("session").value
    previous = app.config.get("PORTAL_NOW")
    app.config["PORTAL_NOW"] = datetime.fromisoformat(dataset.as_of)
    try:
        result = measure_transfer(app, cookie, "/dashboard", HEADERS["User-Agent"], browser)
    except NoBrowser as exc:
        say(f"    transfer not measured: {exc}")
        return {"skipped": str(exc)}
    finally:
        app.config["PORTAL_NOW"] = previous
    first, second = result["first_visit"], result["second_visit"]
    say(
        f"    chart page transfer: first visit {first['total_bytes']:,} bytes "
        f"({first['static_files']} static files, {first['static_bytes']:,} bytes), "
        f"second visit {second['total_bytes']:,} bytes ({second['static_bytes']:,} static)"
    )
    return result


def report(runs: dict[float, dict], repeats: int) -> dict:
    """The JSON written to latest.json, from each scale's run (the largest is the main one)."""
    scales = sorted(runs)
    large, small = runs[scales[-1]], runs[scales[0]] if len(scales) > 1 else None
    result = {"dataset": large["dataset"], "pages": large["pages"]}
    if small:
        result["small"] = {"dataset": small["dataset"], "pages": small["pages"]}
    if "transfer" in large:
        result["transfer"] = large["transfer"]
    result["checks"] = checks(large, small)
    result["notes"] = {
        "ratio": "page p50 / bare SQL p50",
        "repeats": repeats,
        "requests": {n: a["requests"] for n, a in large["answered"].items()},
    }
    return result


def checks(large: dict, small: dict | None) -> dict:
    """Each target, per page: met (True/False), or None where it does not apply."""
    kinds = {p.name: p.person_view for p in pages(_AnyDataset())}
    out = {}
    for name, r in large["pages"].items():
        limit = PERSON_P95_MS if kinds[name] else ORGANISATION_P95_MS
        out[name] = {
            "p95_target_ms": limit,
            "p95_met": r["p95_ms"] < limit,
            "ratio_met": r["ratio"] is not None and r["ratio"] <= MAX_RATIO,
            "queries_small": small["pages"][name]["queries"] if small else None,
            "queries_equal_at_both_scales": (small["pages"][name]["queries"] == r["queries"]) if small else None,
            "answered": large["answered"][name]["status"] == 200 and not large["answered"][name]["missing"],
        }
    transfer = large.get("transfer")
    if transfer:
        out["transfer"] = {
            "first_visit_limit_bytes": transfer.get("first_visit_limit_bytes"),
            "met": transfer.get("met"),
        }
    return out


class _AnyDataset:  # `pages` needs only a vacancy id to name the pages and their kinds
    vacancy_id = 0


def table(result: dict) -> str:
    """The results as a plain-text table."""
    small_scale = result.get("small", {}).get("dataset", {}).get("scale")
    head = [
        "page",
        "p50 ms",
        "p95 ms",
        "target",
        "queries",
        f"q@{small_scale:g}" if small_scale else "q@small",
        "equal",
        "bare ms",
        "ratio",
        "met",
    ]
    lines = []
    for name, r in result["pages"].items():
        c = result["checks"][name]
        met = c["p95_met"] and c["ratio_met"] and c["queries_equal_at_both_scales"] is not False and c["answered"]
        lines.append(
            [
                name,
                f"{r['p50_ms']:.1f}",
                f"{r['p95_ms']:.1f}",
                f"<{c['p95_target_ms']}",
                str(r["queries"]),
                "-" if c["queries_small"] is None else str(c["queries_small"]),
                {True: "yes", False: "NO", None: "-"}[c["queries_equal_at_both_scales"]],
                f"{r['bare_sql_ms']:.1f}",
                f"{r['ratio']:.2f}" if r["ratio"] is not None else "-",
                "yes" if met else "NO",
            ]
        )
    widths = [max(len(str(row[i])) for row in [head] + lines) for i in range(len(head))]

    def fmt(row: list) -> str:
        return "  ".join(
            str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True))
        )

    d = result["dataset"]
    title = (
        f"{d['database']}, scale {d['scale']:g}: {d['staff']:,} staff, {d['teams']:,} teams, "
        f"{d['evidence']:,} evidence, {d['links']:,} links, {d['sign_offs']:,} sign-offs, "
        f"{d['self_assessments']:,} self-assessments, {d['vacancies']} vacancies "
        f"(largest {d['max_applications']} applications); generated in {d['generation_seconds']:g} s"
    )
    return "\n".join(
        [title, fmt(head), fmt(["-" * w for w in widths])]
        + [fmt(row) for row in lines]
        + ["ratio = page p50 / bare SQL p50; target: p95 under the limit, ratio <= 3, equal queries at both scales."]
        + transfer_lines(result.get("transfer"))
    )


def transfer_lines(transfer: dict | None) -> list[str]:
    """The chart page's transfer as table footnotes."""
    if not transfer:
        return []
    if "skipped" in transfer:
        return [f"chart page transfer: not measured ({transfer['skipped']})"]
    first, second = transfer["first_visit"], transfer["second_visit"]
    return [
        f"chart page ({transfer['path']}) transfer, first visit: {first['total_bytes'] / 1e6:.2f} MB "
        f"({first['static_files']} static files, {first['static_bytes'] / 1e6:.2f} MB); second visit: "
        f"{second['total_bytes'] / 1e3:.1f} kB, of it static {second['static_bytes']} bytes "
        f"({second['static_files_fetched']} files fetched); "
        f"target: first <= {transfer['first_visit_limit_bytes'] / 1e6:g} MB, "
        f"second 0 static bytes: {'met' if transfer['met'] else 'NOT MET'}",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        action="append",
        help="scale to measure (1 = 10,000 staff); repeatable; default 0.01 and 1",
    )
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per page (default 30)")
    args = parser.parse_args(argv)
    scales = sorted(set(args.scale or [0.01, 1.0]))
    runs = {}
    try:
        for scale in scales:
            print(f"Scale {scale:g}:")
            runs[scale] = run_scale(scale, args.repeats, transfer=scale == scales[-1])
    except database.NotOurs as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    result = report(runs, args.repeats)
    print("Everything held about a person:")
    result["archive"] = archive.run()
    database.RESULTS.mkdir(parents=True, exist_ok=True)
    (database.RESULTS / "latest.json").write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(table(result))
    print(f"\nWritten to {database.RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
