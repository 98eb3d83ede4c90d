"""Render each seed to .docx and .pdf, import it, and score the drafts; exit 1 below the targets.

python -m scripts.import_check [--seed 002] [--format pdf] [--verbose]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

from competency_portal.importer import import_document
from competency_portal.importer.suggest import Candidate
from scripts.import_check import render
from scripts.import_check.score import Score, compare

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
TARGET_STATEMENTS, TARGET_PRECISION = 0.97, 0.80
SYMBOL_BULLET_SEED = "003"  # this seed's PDF uses Word's symbol-font bullet, which has no Unicode meaning


def handmade() -> tuple[dict[str, list[dict]], list[dict]]:
    """The hand-made frameworks by seed document, and the hand-made crosswalks."""
    by_seed: dict[str, list[dict]] = {}
    for path in sorted((ROOT / "frameworks" / "frameworks").glob("*.yaml")):
        framework = yaml.safe_load(path.read_text(encoding="utf-8"))
        by_seed.setdefault(framework["source"]["document"], []).append(framework)
    walks = [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "frameworks" / "crosswalks").glob("*.yaml"))
    ]
    return by_seed, walks


def run(seeds: list[str], formats: list[str], verbose: bool) -> tuple[Score, list[tuple]]:
    """Score every seed in every format."""
    by_seed, walks = handmade()
    total, rows = Score(), []
    with tempfile.TemporaryDirectory(prefix="import-check-") as folder:
        for seed in seeds:
            text = (SEEDS / seed).read_text(encoding="utf-8")
            frameworks = by_seed[seed]
            spec = next((f for f in frameworks if f["kind"] == "person_specification"), None)
            source = frameworks[0]["source"]
            header = f"{source['organisation'][:60]} - job description - {source.get('post') or ''}"
            candidates = [
                Candidate(f["id"], i["code"], i["statement"])
                for other, fws in by_seed.items() if other != seed
                for f in fws for d in f["domains"] for i in d["items"]
            ]  # fmt: skip
            for kind in formats:
                if kind == "docx":
                    data = render.to_docx(text, spec, header)
                else:
                    data = render.to_pdf(text, spec, header, "\uf0b7" if seed.startswith(SYMBOL_BULLET_SEED) else None)
                path = Path(folder) / f"{seed[:3]}.{kind}"
                path.write_bytes(data)
                draft = import_document(path.name, path.read_bytes())
                score = compare(draft.frameworks, frameworks, text, walks, candidates)
                total.add(score)
                rows.append((seed[:3], kind, score))
                if verbose:
                    for line in (
                        [f"  miss {m}" for m in score.misses]
                        + [f"  wrong {w}" for w in score.wrong]
                        + [f"  invented {i}" for i in score.invented]
                    ):
                        print(f"{seed[:3]} {kind}{line}")
    return total, rows


def percent(part: int, whole: int) -> str:
    """A share as a whole percentage, or "-" when there is nothing to count."""
    return f"{100 * part / whole:.0f}%" if whole else "-"


def main(argv: list[str] | None = None) -> int:
    """Run the check; 0 when every target is met, 1 when one is missed, 2 when no seed matches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", help="only the seed whose file name starts with this, e.g. 002")
    parser.add_argument("--format", choices=("docx", "pdf"), help="only this format")
    parser.add_argument("--verbose", action="store_true", help="list every miss, wrong flag and invented statement")
    args = parser.parse_args(argv)
    seeds = sorted(p.name for p in SEEDS.glob("*.txt") if not args.seed or p.name.startswith(args.seed))
    if not seeds:
        print(f"import-check: no seed document matches {args.seed!r} in {SEEDS}", file=sys.stderr)
        return 2
    total, rows = run(seeds, [args.format] if args.format else ["docx", "pdf"], args.verbose)
    heads = ("seed", "format", "statements", "flags", "how", "invented", "extra", "P", "R")
    print("{:<5} {:<6} {:>11} {:>7} {:>7} {:>8} {:>5} {:>5} {:>5}".format(*heads))
    for seed, kind, s in rows:
        cells = (
            seed, kind, f"{s.found}/{s.statements}", f"{s.flags_right}/{s.flags}", f"{s.how_right}/{s.how}",
            len(s.invented), s.extra, percent(s.top_right, s.pairs), percent(s.partners_suggested, s.partners),
        )  # fmt: skip
        print("{:<5} {:<6} {:>11} {:>7} {:>7} {:>8} {:>5} {:>5} {:>5}".format(*cells))
    precision = total.top_right / total.pairs if total.pairs else 1.0
    print(
        f"import-check: {total.found}/{total.statements} statements, {total.flags_right}/{total.flags} flags, "
        f"{total.how_right}/{total.how} how-assessed, {round(100 * precision)}% crosswalk precision"
    )
    missed = []
    if total.found < TARGET_STATEMENTS * total.statements:
        missed.append(f"statements below {TARGET_STATEMENTS:.0%}")
    if total.flags_right < total.flags or total.how_right < total.how:
        missed.append("a flag or how-assessed mark wrong")
    if total.invented:
        missed.append(f"{len(total.invented)} invented statements")
    if precision < TARGET_PRECISION:
        missed.append(f"crosswalk precision below {TARGET_PRECISION:.0%}")
    if missed:
        print("import-check: targets missed: " + "; ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
