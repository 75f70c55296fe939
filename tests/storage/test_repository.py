"""Assessments stored and read back through the real repository, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from hipnerve.engine.model import Choice, Model
from hipnerve.interview.session import answer, assess, start_interview
from hipnerve.storage import Conflict, NotFound, SqlAssessmentRepository, make_engine, make_sessions, upgrade
from hipnerve.storage.repository import token_hash


@pytest.fixture
def engines() -> Iterator[Callable[[str], Engine]]:
    """Engines made by a test, disposed at its end (no connection may outlive a test)."""
    made: list[Engine] = []

    def make(url: str) -> Engine:
        engine = make_engine(url)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.dispose()


def _repository(engines: Callable[[str], Engine], url: str) -> SqlAssessmentRepository:
    engine = engines(url)
    upgrade(engine)
    return SqlAssessmentRepository(make_sessions(engine))


def test_migrations_create_the_schema_and_are_idempotent(database_url: str, engines: Callable[[str], Engine]) -> None:
    engine = engines(database_url)
    upgrade(engine)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"assessments", "alembic_version"} <= tables
    with engine.connect() as connection:
        assert connection.execute(text("select version_num from alembic_version")).scalar() == "0001"


def test_round_trip_answer_and_resume(database_url: str, model: Model, engines: Callable[[str], Engine]) -> None:
    repository = _repository(engines, database_url)
    state = start_interview(model, 61, "female", {"pain_groin": Choice.PRESENT})
    stored = repository.create(state, consent=True)
    question = assess(model, stored.state).question
    assert question is not None
    after = answer(model, stored.state, question.id, {i.finding: Choice.ABSENT for i in question.items})
    saved = repository.save(stored.token, after, expected_revision=stored.revision)
    assert saved.revision == 1
    again = _repository(engines, database_url).get(stored.token)  # a new engine: nothing cached in memory
    assert again.state == after
    assert again.revision == 1


def test_only_a_hash_of_the_token_is_stored(database_url: str, model: Model, engines: Callable[[str], Engine]) -> None:
    repository = _repository(engines, database_url)
    stored = repository.create(start_interview(model, 40, "male"), consent=False)
    engine = engines(database_url)
    with engine.connect() as connection:
        hashes = [row[0] for row in connection.execute(text("select token_hash from assessments"))]
    assert token_hash(stored.token) in hashes
    assert stored.token not in hashes


def test_unknown_token_and_delete(database_url: str, model: Model, engines: Callable[[str], Engine]) -> None:
    repository = _repository(engines, database_url)
    with pytest.raises(NotFound):
        repository.get("no-such-token-0123456789")
    stored = repository.create(start_interview(model, 40, "male"), consent=True)
    repository.delete(stored.token)
    with pytest.raises(NotFound):
        repository.get(stored.token)


def test_sqlite_runs_in_wal_mode(tmp_path: Path, engines: Callable[[str], Engine]) -> None:
    path = tmp_path / "wal.sqlite3"
    upgrade(engines(f"sqlite:///{path}"))
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_a_stale_save_is_refused_not_lost(database_url: str, model: Model, engines: Callable[[str], Engine]) -> None:
    """Two tabs load revision 0; the first save wins, the second gets Conflict and nothing is lost."""
    repository = _repository(engines, database_url)
    stored = repository.create(start_interview(model, 50, "female"), consent=True)
    tab_a = start_interview(model, 50, "female", {"pain_groin": Choice.PRESENT})
    tab_b = start_interview(model, 50, "female", {"pain_buttock": Choice.PRESENT})
    repository.save(stored.token, tab_a, expected_revision=0)
    with pytest.raises(Conflict):
        repository.save(stored.token, tab_b, expected_revision=0)
    assert repository.get(stored.token).state == tab_a
    with pytest.raises(NotFound):
        repository.save("no-such-token-0123456789", tab_b, expected_revision=0)
