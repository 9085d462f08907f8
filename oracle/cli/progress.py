"""Progress of ``manual-bp train`` on stderr.

On a terminal: a transient ``rich`` bar, ``epoch e/E loss ...`` over all steps. Elsewhere (a log
file, a pipe, a background job) a bar draws nothing, so one plain line per finished epoch is
printed instead, with that epoch's figures: ``epoch 3/10  loss 0.4123  test accuracy 0.9120  (41.2 s)``.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["TrainingProgress", "epoch_line"]


def epoch_line(epoch: int, epochs: int, figures: dict) -> str:
    """``epoch e/E`` then each figure as ``name value`` (``_`` read as a space), seconds last."""
    parts = [f"epoch {epoch}/{epochs}"]
    for name, value in figures.items():
        if name in ("epoch", "seconds"):
            continue
        label = name.replace("_", " ")
        parts.append(f"{label} {value:.4f}" if isinstance(value, float) else f"{label} {value}")
    if "seconds" in figures:
        parts.append(f"({figures['seconds']:.1f} s)")
    return "  ".join(parts)


class TrainingProgress:
    """``with TrainingProgress(err, epochs, total_steps) as progress``: ``progress.step(epoch, loss)``
    after each step, ``progress.epoch(epoch, figures)`` after each epoch (``total_steps`` may be
    ``None`` when unknown)."""

    def __init__(self, err: Console, epochs: int, total_steps: int | None):
        self.err, self.epochs = err, epochs
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self._bar = Progress(*columns, console=err, transient=True)
        self._task = self._bar.add_task("training", total=total_steps)

    def __enter__(self) -> TrainingProgress:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.__exit__(*exc)

    def step(self, epoch: int, loss: float, extra: str = "") -> None:
        self._bar.update(self._task, advance=1, description=f"epoch {epoch}/{self.epochs} loss {loss:.4f}{extra}")

    def epoch(self, epoch: int, figures: dict) -> None:
        if not self.err.is_terminal:
            self.err.print(epoch_line(epoch, self.epochs, figures), markup=False, highlight=False)
