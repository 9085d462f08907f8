"""Progress of ``manual-bp train`` on stderr, the same for every family.

One line per finished epoch, ``epoch 3/10  loss 0.4123  test accuracy 0.9120  (41.2 s)``, printed
on a terminal above a transient ``rich`` bar (``epoch e/E loss ...`` over all steps), and alone
elsewhere (a log file, a pipe, a background job), where a bar draws nothing.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["TrainingProgress", "epoch_line", "figures_text"]


def figures_text(figures: dict) -> str:
    """Each figure as ``name value`` (``_`` read as a space; floats to 4 decimals, or 4 significant
    digits from 1e5 up), two spaces apart."""
    parts = []
    for name, value in figures.items():
        if name in ("epoch", "seconds"):
            continue
        label = name.replace("_", " ")
        if isinstance(value, float):
            parts.append(f"{label} {value:.4f}" if abs(value) < 1e5 else f"{label} {value:.4g}")
        else:
            parts.append(f"{label} {value}")
    return "  ".join(parts)


def epoch_line(epoch: int, epochs: int, figures: dict) -> str:
    """``epoch e/E`` then each figure (``figures_text``), seconds last."""
    parts = [f"epoch {epoch}/{epochs}", figures_text(figures)]
    if "seconds" in figures:
        parts.append(f"({figures['seconds']:.1f} s)")
    return "  ".join(part for part in parts if part)


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
        if self.err.is_terminal:  # elsewhere a bar draws nothing (and leaves a blank line)
            self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.err.is_terminal:
            self._bar.__exit__(*exc)

    def step(self, epoch: int, loss: float, extra: str = "") -> None:
        self._bar.update(self._task, advance=1, description=f"epoch {epoch}/{self.epochs} loss {loss:.4f}{extra}")

    def epoch(self, epoch: int, figures: dict) -> None:
        self.err.print(epoch_line(epoch, self.epochs, figures), markup=False, highlight=False)
