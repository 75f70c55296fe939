"""Assessments behind a small interface, so the web layer never touches the ORM.

Tokens come from ``secrets.token_urlsafe(32)``; the database keeps only their SHA-256, so a copy of
the database does not hand out anyone's secret link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from hipnerve.interview.session import InterviewState
from hipnerve.storage.tables import AssessmentRow


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredAssessment:
    token: str
    state: InterviewState
    revision: int
    created_at: datetime
    updated_at: datetime


class NotFound(LookupError):
    """No assessment has that token."""


class Conflict(RuntimeError):
    """The assessment changed after it was read (another tab, another app instance)."""


class AssessmentRepository(Protocol):
    def create(self, state: InterviewState, consent: bool) -> StoredAssessment: ...
    def get(self, token: str) -> StoredAssessment: ...
    def save(self, token: str, state: InterviewState, *, expected_revision: int) -> StoredAssessment: ...
    def delete(self, token: str) -> None: ...


class SqlAssessmentRepository:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, state: InterviewState, consent: bool) -> StoredAssessment:
        token = new_token()
        now = datetime.now(UTC)
        row = AssessmentRow(
            token_hash=token_hash(token),
            created_at=now,
            updated_at=now,
            kb_version=state.kb_version,
            state_json=state.model_dump_json(),
            consent_to_store=consent,
            revision=0,
        )
        with self._sessions.begin() as session:
            session.add(row)
        return StoredAssessment(token, state, 0, now, now)

    def _row(self, session: Session, token: str) -> AssessmentRow:
        row = session.scalar(select(AssessmentRow).where(AssessmentRow.token_hash == token_hash(token)))
        if row is None:
            raise NotFound("no assessment with that link")
        return row

    def get(self, token: str) -> StoredAssessment:
        with self._sessions() as session:
            row = self._row(session, token)
            state = InterviewState.model_validate_json(row.state_json)
            return StoredAssessment(token, state, row.revision, row.created_at, row.updated_at)

    def save(self, token: str, state: InterviewState, *, expected_revision: int) -> StoredAssessment:
        """Write only if nobody saved since ``expected_revision`` was read (optimistic locking).

        One conditional UPDATE, so it holds across processes and on PostgreSQL under concurrency:
        a lost race raises :class:`Conflict` instead of silently overwriting someone's answers.
        """
        now = datetime.now(UTC)
        with self._sessions.begin() as session:
            result = session.execute(
                update(AssessmentRow)
                .where(AssessmentRow.token_hash == token_hash(token), AssessmentRow.revision == expected_revision)
                .values(state_json=state.model_dump_json(), updated_at=now, revision=expected_revision + 1)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                self._row(session, token)  # raises NotFound when the token is unknown
                raise Conflict("this assessment was changed elsewhere since it was loaded")
            created = session.scalar(
                select(AssessmentRow.created_at).where(AssessmentRow.token_hash == token_hash(token))
            )
        assert created is not None
        return StoredAssessment(token, state, expected_revision + 1, created, now)

    def delete(self, token: str) -> None:
        with self._sessions.begin() as session:
            session.delete(self._row(session, token))
