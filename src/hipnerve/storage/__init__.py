"""Storage: SQLAlchemy tables, Alembic migrations and the assessment repository."""

from hipnerve.storage.db import make_engine, make_sessions, upgrade
from hipnerve.storage.repository import (
    AssessmentRepository,
    Conflict,
    NotFound,
    SqlAssessmentRepository,
    StoredAssessment,
)

__all__ = [
    "AssessmentRepository",
    "Conflict",
    "NotFound",
    "SqlAssessmentRepository",
    "StoredAssessment",
    "make_engine",
    "make_sessions",
    "upgrade",
]
