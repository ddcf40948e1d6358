"""A rich progress bar for collects run from a terminal; silent when stderr is not a terminal."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from collectors.base import RawItem
from jobs.collect.run import Progress as ProgressCallbacks


class RichProgress(ProgressCallbacks):
    def __init__(self, console: Console):
        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"), TimeElapsedColumn(),
            console=console, disable=not console.is_terminal, transient=False,
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def start(self, source: str, total: int) -> None:
        self._tasks[source] = self._bar.add_task(source, total=total, failed=0)

    def advance(self, source: str, item: RawItem) -> None:
        task = self._tasks[source]
        failed = self._bar.tasks[task].fields["failed"] + (item.status == "failed")
        self._bar.update(task, advance=1, failed=failed, description=f"{source} {item.key}")

    def done(self, source: str) -> None:
        if source in self._tasks:
            self._bar.update(self._tasks[source], description=source)
