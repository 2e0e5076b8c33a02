"""What a unit says about its values: the plausible range of a percentage, a score on a
scale or a count, read from the unit's own words (in English, Norwegian and Danish).

The importer warns about values outside the range; charts and projections stop at it.
"""

from __future__ import annotations

import re

from evaluation.words import N_, _

COUNT = N_("a count (never negative)")  # translated where returned
_COUNT_UNIT = re.compile(r"count|number|persons|people|antall|antal|personer|partners|members|"
                         r"participants|deltakere|deltagere|medlemmer")
# "persons per 1,000 inhabitants", "participants per session": rates and means are not counts.
_RATE_UNIT = re.compile(r"\bper\b|/|\bpr\.?\s|mean|average|rate|snitt|gjennomsnit|\bratio\b")


def unit_bounds(unit: str | None) -> tuple[float | None, float | None, str]:
    """(low, high, description) of plausible values for a unit such as '%' or 'score (1-5)'."""
    text = (unit or "").lower()
    scale = re.search(r"(\d+(?:[.,]\d+)?)\s*[-–]\s*(\d+(?:[.,]\d+)?)", text)
    if scale:
        lo, hi = (float(x.replace(",", ".")) for x in scale.groups())
        return lo, hi, _("a score on the scale {scale}").format(scale=scale.group(0))
    if "%" in text or re.search(r"percent|prosent|procent|share|andel", text):
        return 0.0, 100.0, _("a percentage (0-100)")
    if _COUNT_UNIT.search(text):
        if _RATE_UNIT.search(text):
            return 0.0, None, _("a rate or mean of counts (never negative)")
        return 0.0, None, _(COUNT)
    return None, None, ""
