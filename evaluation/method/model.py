"""One call that evaluates a snapshot: assessment, score components and pillar scores.

Pages cache the result per store version; reports and the command line call
it directly. Everything shown anywhere derives from this one object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from evaluation.errors import EvaluationError
from evaluation.method.assessment import assess
from evaluation.method.derived import with_derived
from evaluation.method.scores import compute_scores
from evaluation.method.settings import Settings
from evaluation.method.survey import SurveyResults, survey_results
from evaluation.text import suggest
from evaluation.words import _

if TYPE_CHECKING:  # the store's type only: the method reads no database
    from evaluation.store.snapshot import Snapshot


@dataclass(frozen=True)
class Evaluation:
    """A snapshot with the method applied under the settings stored with it."""

    snapshot: Snapshot
    settings: Settings
    assessment: pd.DataFrame
    components: pd.DataFrame
    scores: pd.DataFrame
    survey: SurveyResults


def evaluate(snap: Snapshot, settings: Settings | None = None) -> Evaluation:
    """Apply the method; `settings` default to those stored in the snapshot.

    The evaluation's snapshot holds the derived figures too (register and survey), so
    everything downstream sees them as observations of their indicators.
    """
    settings = settings or Settings.from_values(snap.settings)
    survey = survey_results(snap.answers, snap.instrument, snap.partners,
                            int(settings.survey_min_respondents))
    snap = with_derived(snap, survey)
    scores = compute_scores(snap, settings)
    return Evaluation(snap, settings, assess(snap, settings), scores.components, scores.scores,
                      survey)


def resolve_partnership(snap: Snapshot, name: str) -> str:
    """The stored name for `name` (any case, surrounding spaces), or a clear error."""
    try:
        return str(snap.partnership(name)["partnership"])
    except KeyError:
        names = snap.partnerships["partnership"].tolist()
        raise EvaluationError(
            _("There is no partnership '{name}'{hint}. Known partnerships: {known}.").format(
                name=name, hint=suggest(name, names), known=", ".join(names) or _("none yet")),
            _("Unknown partnership")) from None
