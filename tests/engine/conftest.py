"""The engine (built once per cache, see tests/engine/build.py) and a project per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.build import ensure_engine
from tests.engine.project import EngineProject


@pytest.fixture(scope="session")
def engine_home() -> Path:
    return ensure_engine()


@pytest.fixture
def project(tmp_path: Path, engine_home: Path) -> EngineProject:
    return EngineProject(tmp_path, engine_home)
