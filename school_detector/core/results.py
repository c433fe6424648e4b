"""Schema of scan results and review decisions, shared by the runtime and the plugin.

The scanner writes these fields, the review panel edits them, exports read them; keeping
one definition prevents the silent drift that makes a GeoPackage from last month unreadable.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, NamedTuple


class ReviewStatus(str, Enum):
    UNREVIEWED = "unreviewed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    UNSURE = "unsure"
    KNOWN = "known"  # on a school the mapper already has (set aside by the scan, not a decision)


class SkipReason(str, Enum):
    """Why a tile of the region has no score. Some are for good (land without buildings, no
    imagery there), some are worth another try when the scan resumes (a fetch that failed, a
    web layer that drew nothing: a server hiccup, or imagery published since)."""

    UNINHABITED = "uninhabited"
    OUTSIDE_IMAGERY = "outside imagery"
    NO_IMAGERY = "no imagery"
    MOSTLY_NO_DATA = "mostly no-data"
    FETCH_FAILED = "fetch failed"

    def retryable(self, web: bool) -> bool:
        """Tried again on resume: a failed fetch always; blank chips only from web imagery (a
        GeoTIFF's no-data is the file's own)."""
        return self is SkipReason.FETCH_FAILED or (web and self in (SkipReason.NO_IMAGERY, SkipReason.MOSTLY_NO_DATA))


def retryable_reasons(web: bool) -> list[str]:
    return [r.value for r in SkipReason if r.retryable(web)]


#: statuses a mapper decides (the review panel's keys); "known" is the scan's, not a decision
DECISIONS = (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED, ReviewStatus.UNSURE)


class FieldDef(NamedTuple):
    name: str
    sql_type: str  # GeoPackage column type
    doc: str


CANDIDATES_TABLE = "candidates"
FOOTPRINTS_TABLE = "candidate_footprints"
SCORES_TABLE = "tile_scores"

CANDIDATE_FIELDS: tuple[FieldDef, ...] = (
    FieldDef("tile", "TEXT", "tile id z/x/y"),
    FieldDef("z", "INTEGER", "tile zoom"),
    FieldDef("x", "INTEGER", "tile column"),
    FieldDef("y", "INTEGER", "tile row"),
    FieldDef("score", "REAL", "school probability from the model, 0..1"),
    FieldDef("model", "TEXT", "model id name:version"),
    FieldDef("scanned_at", "TEXT", "UTC time the tile was scored, ISO 8601"),
    FieldDef("status", "TEXT", "review status: " + ", ".join(s.value for s in ReviewStatus)),
    FieldDef("reviewer", "TEXT", "who decided"),
    FieldDef("reviewed_at", "TEXT", "UTC time of the decision, ISO 8601"),
    FieldDef("note", "TEXT", "free text from the reviewer"),
    FieldDef("location", "TEXT", "how the point was placed: model (its activation map) or tile-centre"),
    FieldDef("known_m", "REAL", "ground metres to the nearest known school, when one is within 250 m"),
)
#: fields added since the first release: a file without them is still reviewable
OPTIONAL_FIELDS = ("location", "known_m")

REVIEW_FIELDS = ("status", "reviewer", "reviewed_at", "note")


def missing_fields(present: list[str] | set[str]) -> list[str]:
    """Candidate fields a layer lacks to be reviewed (a GeoPackage made by another tool)."""
    have = {p.lower() for p in present}
    return [f.name for f in CANDIDATE_FIELDS if f.name not in have and f.name not in OPTIONAL_FIELDS]


class Prediction(float):
    """A chip's score (the float itself, so code that wants only scores keeps working) and,
    when the model says, where in the chip the school is: fractions of the chip from its west
    (``fx``) and north (``fy``) edges; None for a model that gives no location."""

    fx: float | None
    fy: float | None

    def __new__(cls, score: float, fx: float | None = None, fy: float | None = None) -> Prediction:
        obj = super().__new__(cls, score)
        obj.fx, obj.fy = fx, fy
        return obj

    @property
    def score(self) -> float:
        return float(self)

    def __repr__(self) -> str:
        where = f" at ({self.fx:.3f}, {self.fy:.3f})" if self.fx is not None and self.fy is not None else ""
        return f"Prediction({float(self):.4f}{where})"


def batch_predictions(scores: Any, locations: Any | None) -> list[Prediction]:
    """An engine's answers for a batch (scores (N,), locations (N, 2) or None) as Predictions."""
    if locations is None:
        return [Prediction(float(v)) for v in scores]
    return [Prediction(float(v), float(x), float(y)) for v, (x, y) in zip(scores, locations)]


def as_prediction(value: Any) -> Prediction:
    """A predictor's answer for one chip: a Prediction, or a bare score (no location)."""
    return value if isinstance(value, Prediction) else Prediction(float(value))
