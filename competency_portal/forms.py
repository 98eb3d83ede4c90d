"""Form fields shared by several blueprints, and reading a number from the query string."""

from __future__ import annotations

from datetime import date

from wtforms import Field
from wtforms.validators import ValidationError

MAX_ID = 2**31 - 1  # the largest value of the database's integer columns (as the routes' BoundedInt)


def id_arg(raw: str | None) -> int | None:
    """A whole number from the query string that an integer column can hold, or None (missing, not digits, too big)."""
    if raw is None or not (raw.isascii() and raw.isdecimal()):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


class DatePartsField(Field):
    """A date entered as day, month and year boxes (the NHS.UK date input pattern).

    Reads `<name>-day`, `<name>-month` and `<name>-year`; keeps what was typed so a mistake can
    be corrected, and says exactly which part is wrong.
    """

    def __init__(
        self, label=None, validators=None, earliest: date = date(1950, 1, 1), allow_future: bool = False, **kwargs
    ):
        super().__init__(label, validators, **kwargs)
        self.parts = {"day": "", "month": "", "year": ""}
        self.earliest = earliest
        self.allow_future = allow_future
        self.today: date | None = None  # set by the view, so "the future" follows the portal's clock

    def process_formdata(self, valuelist):  # noqa: D102 - WTForms hook (unused: we read parts)
        pass

    def process(self, formdata, data=None, extra_filters=None):  # noqa: D102 - WTForms hook
        self.process_errors = []
        self.data = data
        if isinstance(data, date):
            self.parts = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is not None and any(f"{self.name}-{p}" in formdata for p in self.parts):
            self.parts = {p: (formdata.get(f"{self.name}-{p}") or "").strip()[:8] for p in self.parts}
            self.data = None
            self.raw_data = [self.parts[p] for p in self.parts]

    def pre_validate(self, form):  # noqa: D102 - WTForms hook
        if self.raw_data is None and isinstance(self.data, date):
            return
        missing = [p for p in ("day", "month", "year") if not self.parts[p]]
        if len(missing) == 3:
            raise ValidationError(f"Enter the {self.label.text.lower()}")
        if missing:
            raise ValidationError(f"The {self.label.text.lower()} must include a {' and '.join(missing)}")
        if not all(self.parts[p].isascii() and self.parts[p].isdecimal() for p in self.parts):
            raise ValidationError(f"The {self.label.text.lower()} must be numbers, for example 27 3 2026")
        day, month, year = (int(self.parts[p]) for p in ("day", "month", "year"))
        if len(self.parts["year"]) != 4:
            raise ValidationError("Enter the year as 4 digits, for example 2026")
        try:
            value = date(year, month, day)
        except ValueError:
            raise ValidationError(f"The {self.label.text.lower()} must be a real date") from None
        if value < self.earliest:
            raise ValidationError(f"The {self.label.text.lower()} must be after {self.earliest:%-d %B %Y}")
        if not self.allow_future and self.today and value > self.today:
            raise ValidationError(f"The {self.label.text.lower()} must be today or in the past")
        self.data = value

    raw_data = None
