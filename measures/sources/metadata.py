"""What a letter says about itself: its Kamerstuk number, date and kenmerk, found in its text and
proposed for a person to confirm (never stored unconfirmed)."""

import datetime as dt
import re
from dataclasses import asdict, dataclass

from models.document import MONTHS

_MONTH = "|".join(MONTHS)
_KAMERSTUK = re.compile(r"\b(\d{2})\s?(\d{3})\s*,?\s*nr\.?\s*(\d{1,4})\b", re.IGNORECASE)
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\s+((?:19|20)\d{{2}})\b", re.IGNORECASE)
_KENMERK = re.compile(
    r"\b(?:ons\s+kenmerk|kenmerk|onze\s+referentie|referentie)\s*:?\s*([A-Z0-9][\w./-]{2,40})", re.IGNORECASE
)


@dataclass(frozen=True)
class Proposal:
    """Metadata found in a text, each with the sentence it was found in (or None)."""

    reference: str | None = None
    reference_found_in: str | None = None
    date: dt.date | None = None
    date_found_in: str | None = None
    kenmerk: str | None = None
    kenmerk_found_in: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


def _context(paragraph: str, match: re.Match) -> str:
    start, end = max(0, match.start() - 60), min(len(paragraph), match.end() + 60)
    return ("…" if start else "") + paragraph[start:end] + ("…" if end < len(paragraph) else "")


def propose(paragraphs: list[str], look_at: int = 40) -> Proposal:
    """Look in the first paragraphs (where a letter has its heading) for the first Kamerstuk
    number, date and kenmerk."""
    found: dict = {}
    for paragraph in paragraphs[:look_at]:
        if "reference" not in found and (m := _KAMERSTUK.search(paragraph)):
            found["reference"] = f"Kamerstuk {m[1]} {m[2]} nr. {int(m[3])}"
            found["reference_found_in"] = _context(paragraph, m)
        if "date" not in found and (m := _DATE.search(paragraph)):
            try:
                found["date"] = dt.date(int(m[3]), MONTHS.index(m[2].lower()) + 1, int(m[1]))
                found["date_found_in"] = _context(paragraph, m)
            except ValueError:
                pass  # 31 februari: not a date
        if "kenmerk" not in found and (m := _KENMERK.search(paragraph)):
            found["kenmerk"] = m[1].rstrip(".")
            found["kenmerk_found_in"] = _context(paragraph, m)
    return Proposal(**found)
