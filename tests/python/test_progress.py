"""Progress a person can see (issue 12, point 6): stages with the elapsed time and dbt's
nodes counted as they finish, on a terminal; nothing in CI or when output is piped."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

from conftest import environment, run_dbt
from custseg import progress, warehouse


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_and_is_quiet_in_ci_or_a_pipe(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert progress.wanted(Terminal()) and not progress.wanted(io.StringIO())
    for value in ("true", "1", "yes"):
        with environment(CI=value):
            assert not progress.wanted(Terminal())
    with environment(CI="false"):
        assert progress.wanted(Terminal())
    quiet = io.StringIO()
    with progress.Progress("build", stream=quiet).stage("gate 1: raw files"):
        pass
    assert quiet.getvalue() == ""


def test_stages_carry_the_elapsed_time(monkeypatch):
    clock = iter([0.0, 0.0, 75.0, 80.5, 80.5])
    monkeypatch.setattr(progress.time, "perf_counter", lambda: next(clock))
    shown = Terminal()
    tracker = progress.Progress("build", stream=shown, enabled=True)  # started at 0
    with tracker.stage("gate 3: marts"):  # begins at 0 s; ends at 80.5 s
        pass
    assert shown.getvalue().splitlines() == [
        "[build 01:15] gate 3: marts ...",
        "[build 01:20] gate 3: marts: done in 80.5 s",
    ]


def test_dbt_nodes_are_counted_of_their_total(tmp_path, tiny_raw):
    """A real dbt invocation (the seeds) with the callback registered: the last line counts
    every node dbt ran, of the total dbt announced."""
    shown = Terminal()
    tracker = progress.Progress("build", stream=shown, enabled=True)
    with tracker.dbt():
        build = run_dbt(tmp_path / "warehouse.duckdb", tiny_raw, ["seed"])
    assert build.result.success and warehouse.DBT_CALLBACKS == []
    seeds = sum(r.node.resource_type == "seed" for r in build.result.results)  # not hooks
    lines = shown.getvalue().splitlines()
    assert seeds >= 4
    assert re.fullmatch(rf"\[build \d\d:\d\d\] dbt {seeds} of {seeds} nodes done", lines[-2])
    assert lines[0].endswith("dbt build ...") and "dbt build: done in" in lines[-1]


def test_the_callback_reports_every_25_nodes():
    shown = Terminal()
    callback = progress.Progress("replay", stream=shown, enabled=True).dbt_callback()

    def event(name, total=0):
        return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(total=total))

    for _ in range(60):
        callback(event("LogStartLine", total=60))
        callback(event("NodeFinished"))
    counted = [line.split("] ")[1] for line in shown.getvalue().splitlines()]
    assert counted == ["dbt 25 of 60 nodes done", "dbt 50 of 60 nodes done",
                       "dbt 60 of 60 nodes done"]  # fmt: skip
