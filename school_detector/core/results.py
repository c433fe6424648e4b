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
)

REVIEW_FIELDS = ("status", "reviewer", "reviewed_at", "note")


def missing_fields(present: list[str] | set[str]) -> list[str]:
    """Candidate fields a layer lacks (a GeoPackage made by another tool)."""
    have = {p.lower() for p in present}
    return [f.name for f in CANDIDATE_FIELDS if f.name not in have]


class Prediction(NamedTuple):
    """A chip's score and, when the model says, where in the chip the school is: fractions of
    the chip from its west (``fx``) and north (``fy``) edges."""

    score: float
    fx: float | None = None
    fy: float | None = None


def as_prediction(value: Any) -> Prediction:
    """A predictor's answer for one chip: a Prediction, or a bare score (no location)."""
    return value if isinstance(value, Prediction) else Prediction(float(value))
