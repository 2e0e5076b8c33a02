"""The model's settings: one table of (name, default, help) read by the settings page,
docs/method.md, the command line and the tests.

Weights and thresholds are stored in the store as versioned rows, so changing
them is an upload like any other (`evaluation.intake.edits.save_settings`):
recorded, undoable, and reproduced exactly when a report is regenerated as of
an earlier upload.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from evaluation.errors import EvaluationError
from evaluation.words import N_, _, number, percent


@dataclass(frozen=True)
class Setting:
    """One adjustable parameter of the method."""

    name: str
    default: float
    help: str
    low: float
    high: float
    group: str
    integer: bool = False
    choices: tuple[float, ...] = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("weight_involvement", 1.0, N_("Weight of the involvement pillar in the balanced "
            "index (weights are normalised to sum to 1)."), 0.0, 10.0, N_("Pillar weights")),
    Setting("weight_process", 1.0, N_("Weight of the process pillar in the balanced index."),
            0.0, 10.0, N_("Pillar weights")),
    Setting("weight_outcome", 1.0, N_("Weight of the outcome pillar in the balanced index."),
            0.0, 10.0, N_("Pillar weights")),
    Setting("on_track_ratio", 0.95, N_("Growth ratio R (actual / required yearly growth) from "
            "which an indicator is on track."), 0.0, 2.0, N_("Status thresholds")),
    Setting("moderate_ratio", 0.60, N_("Growth ratio R from which progress is moderate (below: "
            "insufficient; below 0: moving away)."), 0.0, 2.0, N_("Status thresholds")),
    Setting("trend_threshold", 0.01, N_("Yearly growth (as a fraction, 0.01 = 1 %) beyond which "
            "an indicator without a target is improving or worsening, not slightly."),
            0.0, 0.5, N_("Status thresholds")),
    Setting("max_age_years", 2, N_("How many years an observation keeps counting for a "
            "partnership's yearly pillar scores when the indicator was not measured again "
            "(2: a survey every other year still counts)."), 0, 10, N_("Scores"), integer=True),
    Setting("outcome_lag", 2.0, N_("Shape of the expected path for outcome indicators: the "
            "expected share of the way to the target is (share of time elapsed) to this "
            "power. 1 is a straight line; 2 stays near baseline in the early years."),
            1.0, 5.0, N_("Expected path")),
    Setting("path_tolerance", 0.10, N_("How far (in progress, 0.10 = 10 % of the way from "
            "baseline to target) an indicator may be from its expected path and still be "
            "on path."), 0.0, 1.0, N_("Expected path")),
    Setting("projection_points", 5, N_("How many of the latest observations the projection's "
            "straight-line trend is fitted to."), 2, 20, N_("Projection"), integer=True),
    Setting("projection_level", 0.80, N_("Coverage of the projection's uncertainty band: "
            "0.80, 0.90 or 0.95."), 0.80, 0.95, N_("Projection"), choices=(0.80, 0.90, 0.95)),
    Setting("survey_min_respondents", 5, N_("The fewest respondents a survey figure may come "
            "from: a group of fewer (an actor type, or a whole round) is never shown, and "
            "enough others are hidden that it cannot be worked out by difference."),
            3, 50, N_("Collaboration survey"), integer=True),
)
BY_NAME = {s.name: s for s in SETTINGS}
# How each setting is labelled on the Settings page (the names stay as docs/method.md and
# the store write them).
SETTING_LABELS = {
    "weight_involvement": N_("Weight of involvement"),
    "weight_process": N_("Weight of process"),
    "weight_outcome": N_("Weight of outcome"),
    "on_track_ratio": N_("Growth ratio for on track"),
    "moderate_ratio": N_("Growth ratio for moderate progress"),
    "trend_threshold": N_("Trend threshold"),
    "max_age_years": N_("Years an observation keeps counting"),
    "outcome_lag": N_("Lag of outcome indicators"),
    "path_tolerance": N_("Tolerance around the expected path"),
    "projection_points": N_("Observations the projection uses"),
    "projection_level": N_("Projection band"),
    "survey_min_respondents": N_("Fewest respondents shown"),
}
# How each pillar id reads inside a sentence (the ids themselves are never translated).
PILLAR_WORDS = {"involvement": N_("involvement"), "process": N_("process"),
                "outcome": N_("outcome")}


@dataclass(frozen=True)
class Settings:
    """The values in force, with defaults for anything never set. The fields name the
    settings (a test checks they are SETTINGS, in order); each default is SETTINGS' own."""

    weight_involvement: float = BY_NAME["weight_involvement"].default
    weight_process: float = BY_NAME["weight_process"].default
    weight_outcome: float = BY_NAME["weight_outcome"].default
    on_track_ratio: float = BY_NAME["on_track_ratio"].default
    moderate_ratio: float = BY_NAME["moderate_ratio"].default
    trend_threshold: float = BY_NAME["trend_threshold"].default
    max_age_years: float = BY_NAME["max_age_years"].default
    outcome_lag: float = BY_NAME["outcome_lag"].default
    path_tolerance: float = BY_NAME["path_tolerance"].default
    projection_points: float = BY_NAME["projection_points"].default
    projection_level: float = BY_NAME["projection_level"].default
    survey_min_respondents: float = BY_NAME["survey_min_respondents"].default

    @classmethod
    def from_values(cls, values: dict[str, float]) -> Settings:
        return cls(**{k: float(v) for k, v in values.items() if k in BY_NAME})

    def raw_weights(self) -> tuple[float, float, float]:
        return (self.weight_involvement, self.weight_process, self.weight_outcome)

    @property
    def weights(self) -> dict[str, float]:
        """Pillar weights normalised to sum to 1 (equal if all are zero)."""
        raw = {"involvement": self.weight_involvement, "process": self.weight_process,
               "outcome": self.weight_outcome}
        total = sum(raw.values())
        if total <= 0:
            return {k: 1 / 3 for k in raw}
        return {k: v / total for k, v in raw.items()}

    def describe_weights(self) -> str:
        """The weights as printed on every chart and export that uses them."""
        w = self.weights
        shares = ", ".join(f"{_(PILLAR_WORDS[k])} {percent(v)}" for k, v in w.items())
        if max(w.values()) - min(w.values()) < 1e-9:
            return _("Weights: {shares} (equal)").format(shares=shares)
        return _("Weights: {shares}").format(shares=shares)

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def check_value(name: str, value: float) -> float:
    """The value if allowed for this setting; EvaluationError naming the range otherwise."""
    setting = BY_NAME.get(name)
    if setting is None:
        raise EvaluationError(_("Unknown setting '{name}'; known: {known}.").format(
            name=name, known=", ".join(BY_NAME)), _("Unknown setting"))
    if not isinstance(value, (int, float)) or math.isnan(value) or not (
            setting.low <= value <= setting.high):
        raise EvaluationError(_("{name} must be a number between {low:g} and {high:g}; "
                                "got {value!r}.").format(name=name, low=setting.low,
                                                         high=setting.high, value=value),
                              _("Setting out of range"))
    if setting.integer and not float(value).is_integer():
        raise EvaluationError(_("{name} must be a whole number; got {value!r}.").format(
            name=name, value=value), _("Setting out of range"))
    if setting.choices and not any(abs(value - c) < 1e-9 for c in setting.choices):
        allowed = ", ".join(number(c, "g") for c in setting.choices)
        raise EvaluationError(_("{name} must be one of {allowed}; got {value!r}.").format(
            name=name, allowed=allowed, value=value), _("Setting out of range"))
    return float(value)


def check_together(settings: Settings) -> None:
    """Rules that bind settings to each other (checked on the values that would apply)."""
    if not any(v > 0 for v in settings.raw_weights()):
        raise EvaluationError(_("At least one pillar weight must be above 0."),
                              _("Invalid weights"))
    if settings.on_track_ratio <= settings.moderate_ratio:
        raise EvaluationError(
            _("on_track_ratio ({on_track:g}) must be above moderate_ratio ({moderate:g}): "
              "on track is the better status. Raise the first or lower the second.").format(
                on_track=settings.on_track_ratio, moderate=settings.moderate_ratio),
            _("Invalid thresholds"))
