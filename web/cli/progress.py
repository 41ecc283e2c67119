"""A progress bar for folding the log into read models: position and events/s."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from projections.projector import Progress as ProgressCallback


class EventsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        label = f"{speed:,.0f} events/s" if speed else "- events/s"
        return Text(label, style="progress.data.speed")


@contextlib.contextmanager
def log_progress(description: str, total: int, console: Console | None = None
                 ) -> Iterator[ProgressCallback]:
    """A callback that moves a bar over the log's notification positions."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  EventsPerSecond(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task(description, total=total or None)

        def advance(position: int) -> None:
            bar.update(task, completed=position)

        yield advance
        bar.update(task, completed=total)
