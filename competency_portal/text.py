"""Words for counts: "1 item", "2 items", so no sentence says "item(s)"."""

from __future__ import annotations


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """The count with the word that agrees with it: plural(1, "item") is "1 item", plural(2, "person", "people")
    "2 people"."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"
