"""tests/integration/server.py: started on entering, stopped on leaving or after a failed start."""

from __future__ import annotations

import pytest

from tests.integration.server import Server


class Recorder(Server):
    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")
        if self.fail:
            raise RuntimeError("no start")

    def stop(self) -> None:
        self.calls.append("stop")


def test_started_on_entering_and_stopped_on_leaving() -> None:
    with Recorder(fail=False) as server:
        assert server.calls == ["start"]
    assert server.calls == ["start", "stop"]


def test_a_failed_start_is_stopped_and_raised() -> None:
    server = Recorder(fail=True)
    with pytest.raises(RuntimeError, match="no start"), server:
        pytest.fail("the body must not run")
    assert server.calls == ["start", "stop"]


def test_stopped_when_the_body_raises() -> None:
    server = Recorder(fail=False)
    with pytest.raises(KeyError), server:
        raise KeyError("body")
    assert server.calls == ["start", "stop"]
