"""Suggesting equivalents: for each drafted item, the closest items already loaded, per framework.

Similarity is TF-IDF cosine (scikit-learn) over two views of the text, averaged: words (folded
to a common stem, with a small thesaurus of the words services use for the same thing, and word
pairs) and character n-grams within words (which catch "co-ordinate" / "coordinating"). Nothing
is linked by this: a person accepts or rejects each suggestion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer

_STOP = set(
    "a an the and or of to in on for with by at as is are be been being that this these those their them they it "
    "its from into within where when which who whom whose will shall must should can may any all each other such "
    "than then there so not no nor but if also including include eg ie etc appropriate ensure ensuring responsible "
    "able".split()
)
# Words services use for the same thing, folded to one.
_SAME = {
    "client": "user", "patient": "user", "person": "user", "people": "user", "individual": "user",
    "practitioner": "gp", "carer": "carer", "family": "carer", "families": "carer", "relative": "carer",
    "relatives": "carer", "formulation": "plan", "planning": "plan", "assessment": "assess",
    "assessing": "assess", "assessed": "assess", "needs": "need", "reviewing": "review", "reviewed": "review",
    "mdt": "team", "multidisciplinary": "team", "agencies": "agency", "risks": "risk", "discharges": "discharge",
    "records": "record", "recording": "record", "documentation": "record", "supervise": "supervision",
    "supervising": "supervision", "engage": "engagement", "engaging": "engagement", "liaise": "communicate",
    "communication": "communicate", "inform": "communicate", "informed": "communicate",
}  # fmt: skip
_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "es", "ed", "s", "ly")


@dataclass(frozen=True)
class Candidate:
    """A loaded item that a drafted item may be equivalent to."""

    framework: str
    code: str
    statement: str


@dataclass(frozen=True)
class Suggestion:
    """A candidate and how close it is (0 to 100)."""

    framework: str
    code: str
    statement: str
    score: int


def _stem(word: str) -> str:
    if word in _SAME:
        return _SAME[word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    stems = [_stem(w) for w in re.findall(r"[a-z]+", text.lower().replace("service user", "user")) if w not in _STOP]
    stems = [w for w in stems if len(w) > 1]
    return stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:], strict=False)]


def similarity(queries: list[str], documents: list[str]):
    """A (queries x documents) matrix of scores from 0 to 1."""
    corpus = queries + documents
    total = None
    for vectorizer in (
        TfidfVectorizer(analyzer=_words, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True),
    ):
        matrix = vectorizer.fit_transform(corpus)
        scores = (matrix[: len(queries)] @ matrix[len(queries) :].T).toarray()
        total = scores if total is None else total + scores
    return total / 2


def suggest(
    items: list[tuple[str, str]], candidates: list[Candidate], per_framework: int = 3, minimum: int = 10
) -> dict[str, list[Suggestion]]:
    """For each drafted (code, statement), up to `per_framework` candidates of each framework, best first."""
    out: dict[str, list[Suggestion]] = {code: [] for code, _ in items}
    if not items or not candidates:
        return out
    scores = similarity([s for _, s in items], [c.statement for c in candidates])
    for row, (code, _statement) in enumerate(items):
        ranked = sorted(range(len(candidates)), key=lambda col: -scores[row, col])
        taken: dict[str, int] = {}
        for col in ranked:
            candidate, score = candidates[col], round(float(scores[row, col]) * 100)
            if score < minimum:
                break
            if taken.get(candidate.framework, 0) >= per_framework:
                continue
            taken[candidate.framework] = taken.get(candidate.framework, 0) + 1
            out[code].append(Suggestion(candidate.framework, candidate.code, candidate.statement, score))
    return out
