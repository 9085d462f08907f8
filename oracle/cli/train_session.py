"""What every ``manual-bp train`` family shares after its own setup: the epoch loop's bookkeeping
(progress, epoch lines, the divergence stop, the parameters kept for Ctrl-C), the BLAS threads,
and the report (text, the one JSON schema, the files written).

A family builds its data and network, then::

    with session.training(settings, epochs, total_steps, params):
        ... session.step(epoch, step, loss) after each step ...
        ... session.epoch(epoch, figures) after each epoch ...
    return session.report(settings, data, header, extra_lines, writers)

JSON schema (``--json``), the same for every family::

    {"settings": {...every setting, defaults filled in...},
     "data": {...sizes of what was trained on: train / test / vocabulary / words...},
     "history": [{"epoch": 1, <figures>, "seconds": s}, ...],
     "final": {<the last epoch's figures>, <figures measured after training>, "seconds": total training seconds}}

The figures are ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc`` (first book, and the
third book's ``dezero-spiral``, ``dezero-mnist``), ``loss`` (cbow), ``train_perplexity``,
``test_perplexity`` (language models), ``loss``, ``test_accuracy`` (seq2seq models), ``train_loss``
and, after training, ``cosine_mse`` (``dezero-rnn``, ``dezero-lstm``).
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping

import numpy as np
from rich.console import Console

from manual_bp import NonFiniteInputError
from manual_bp.training.trainer import TrainingDiverged
from oracle.cli.progress import TrainingProgress, figures_text
from oracle.cli.threads import blas_threads

__all__ = ["TrainingSession"]


class TrainingSession:
    """One ``manual-bp train`` run: see the module docstring."""

    def __init__(self, args, err: Console):
        self.args, self.err = args, err
        self.history: list[dict] = []
        self.epochs = 0
        self.current_epoch = 0
        self.kept: dict | None = None  # the parameters after the last finished epoch (with --save)
        self.seconds = 0.0
        self._params: Mapping[str, np.ndarray] = {}
        self._progress: TrainingProgress | None = None
        self._lr: object = "?"
        self._started = self._epoch_started = 0.0

    @contextlib.contextmanager
    def training(
        self, settings: dict, total_steps: int | None, params: Mapping[str, np.ndarray], *, threads: int
    ) -> Iterator[None]:
        """The training loop runs inside: progress bar, BLAS threads, floating-point warnings off
        (a diverging run is reported once, by the divergence stop). ``params`` must stay live: it is
        read after each epoch (``--save``, Ctrl-C) and at the end."""
        self.epochs, self._params, self._lr = settings["epochs"], params, settings.get("lr", "?")
        settings["threads"] = threads
        self._started = self._epoch_started = time.perf_counter()
        with (
            blas_threads(threads),
            np.errstate(over="ignore", invalid="ignore", divide="ignore"),
            TrainingProgress(self.err, self.epochs, total_steps) as progress,
        ):
            self._progress = progress
            self.current_epoch = 1
            try:
                yield
            except NonFiniteInputError as error:  # scores overflowed to inf: the run diverged
                where = f"at epoch {self.current_epoch}"
                raise self._diverged("input of a layer", f"non-finite ({error})", where) from None
        self.seconds = time.perf_counter() - self._started

    def _diverged(self, what: str, value: object, where: str) -> TrainingDiverged:
        return TrainingDiverged(f"the {what} became {value} {where}: lower the learning rate (now {self._lr})")

    def step(self, epoch: int, step: int, loss: float, extra: str = "") -> None:
        """After each training step: stop if the loss is not finite, else advance the bar."""
        if not math.isfinite(loss):
            raise self._diverged("training loss", loss, f"at epoch {epoch}, step {step}")
        assert self._progress is not None
        self._progress.step(epoch, loss, extra)

    def epoch(self, epoch: int, figures: dict) -> None:
        """After each epoch: stop on a non-finite figure, else record it, print its line, keep the parameters."""
        for name, value in figures.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise self._diverged(name.replace("_", " "), value, f"at epoch {epoch}")
        now = time.perf_counter()
        entry = {"epoch": epoch, **figures, "seconds": round(now - self._epoch_started, 3)}
        self._epoch_started = now
        self.history.append(entry)
        if self.args.save:
            self.kept = {name: np.array(value, copy=True) for name, value in self._params.items()}
        self.current_epoch = epoch + 1
        assert self._progress is not None
        self._progress.epoch(epoch, entry)

    def interrupted(self) -> str:
        """The one line for Ctrl-C; saves the last finished epoch's parameters with ``--save``."""
        if not self.epochs:
            return "interrupted before training started; nothing written"
        finished = len(self.history)
        where = f"interrupted in epoch {self.current_epoch} of {self.epochs}"
        if not self.args.save:
            return f"{where} ({finished} finished)"
        if self.kept is None:
            return f"{where}: no epoch had finished, nothing saved to {self.args.save}"
        from manual_bp.training.checkpoint import save_params

        save_params(self.args.save, self.kept)
        return f"{where}: the parameters of epoch {finished} were saved to {self.args.save}"

    def report(
        self,
        settings: dict,
        data: dict,
        header: str,
        *,
        extra_lines: Callable[[], list] = list,
        writers: dict | None = None,
        after_training: dict | None = None,
    ) -> int:
        """Write the outputs (``writers``: ``{option: (path, write(path))}``), then the JSON or text report;
        ``after_training``: figures measured once training ended, reported in ``final``."""
        from oracle.cli.outputs import prepare_output

        written = []
        if self.args.save:
            from manual_bp.training.checkpoint import save_params

            save_params(self.args.save, dict(self._params))
            written.append(f"parameters written to {self.args.save}")
        for what, (path, write) in (writers or {}).items():
            if path:
                write(prepare_output(path))
                written.append(f"{what} written to {path}")
        final = {k: v for k, v in self.history[-1].items() if k not in ("epoch", "seconds")}
        final |= after_training or {}
        if self.args.json:
            final["seconds"] = round(self.seconds, 3)
            report = {"settings": settings, "data": data, "history": self.history, "final": final}
            print(json.dumps(report, indent=2))
            return 0
        out = Console(soft_wrap=True)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # as in training
            extra = extra_lines()
        for line in [header, f"final  {figures_text(final)}  ({self.seconds:.1f} s)", *extra, *written]:
            out.print(line, markup=False, highlight=False)
        return 0
