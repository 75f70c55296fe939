from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from hipnerve.engine.model import Model, default_model


@pytest.fixture(scope="session")
def model() -> Model:
    return default_model()


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the packaged knowledge directory, for tests that break it on purpose."""
    source = Path(str(resources.files("hipnerve") / "knowledge"))
    target = tmp_path / "knowledge"
    shutil.copytree(source, target)
    return target
