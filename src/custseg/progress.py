"""Progress a person can see: each stage of a command (setup, gate 1, dbt build, gate 3,
publish, report, export) announced with the time elapsed since the command started, and
dbt's nodes counted as they finish ("dbt 120 of 292 nodes"). Shown on a terminal only:
quiet when standard output is not a TTY or CI is set (CI=true, as CI services set it), so
logs and tests read only the results."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import TextIO


def wanted(stream: TextIO | None = None) -> bool:
    """True on an interactive terminal outside CI."""
    stream = stream or sys.stdout
    ci = os.environ.get("CI", "").strip().lower()
    if ci and ci not in ("0", "false", "no"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    def __init__(self, command: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.command = command
        self.stream = stream or sys.stdout
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.started = time.perf_counter()
        self.nodes_done = 0

    def elapsed(self) -> str:
        seconds = int(time.perf_counter() - self.started)
        return f"{seconds // 60:02d}:{seconds % 60:02d}"

    def say(self, text: str) -> None:
        if self.enabled:
            print(f"[{self.command} {self.elapsed()}] {text}", file=self.stream, flush=True)

    @contextlib.contextmanager
    def stage(self, name: str):
        """Announce a stage, and how long it took when it ends."""
        began = time.perf_counter()
        self.say(f"{name} ...")
        try:
            yield self
        finally:
            self.say(f"{name}: done in {time.perf_counter() - began:.1f} s")

    def dbt_callback(self, every: int = 25):
        """A dbtRunner callback counting finished nodes: a line every `every` nodes and at
        the last one ("dbt 150 of 292 nodes"). dbt's node events carry the run's total."""

        def on_event(event) -> None:
            if not self.enabled:
                return
            total = getattr(event.data, "total", 0) or 0
            if total:
                self.nodes_total = total
            if event.info.name != "NodeFinished":
                return
            self.nodes_done += 1
            total = getattr(self, "nodes_total", 0)
            if self.nodes_done % every == 0 or self.nodes_done == total:
                self.say(f"dbt {self.nodes_done}{f' of {total}' if total else ''} nodes done")

        return on_event

    @contextlib.contextmanager
    def dbt(self):
        """While dbt runs in this block, count its nodes (warehouse.run_dbt's callbacks)."""
        from . import warehouse

        callback = self.dbt_callback()
        warehouse.DBT_CALLBACKS.append(callback)
        try:
            with self.stage("dbt build"):
                yield self
        finally:
            warehouse.DBT_CALLBACKS.remove(callback)
