"""``manual-bp train --network seq2seq|peeky|attention --task addition|dates [--reverse]``: the sequel's
encoder-decoder models on the generated toy tasks (ch. 7-8).

The book's loop (its ``Trainer``): every epoch a new shuffle (``np.random.default_rng(seed)``),
``len // batch_size`` minibatches (the rest dropped), ``forward -> backward -> clip_grads ->
update``; after each epoch the exact-match accuracy on the test questions: a greedy answer
(``generate`` with the answer's length minus the start symbol) counts only if every character,
padding included, is right (the book's ``eval_seq2seq``). Evaluation goes ``batch_size``
questions at a time.
"""

from __future__ import annotations

import json
import time

import numpy as np
from rich.console import Console

from manual_bp.data.sequence import load_addition, load_dates, reverse_questions
from manual_bp.networks.seq2seq import AttentionSeq2seq, PeekySeq2seq, Seq2seq
from manual_bp.optimizers import OPTIMIZERS
from manual_bp.training.checkpoint import check_save_path
from manual_bp.training.clipping import clip_grads
from oracle.cli.progress import TrainingProgress
from oracle.cli.train_seq2seq_args import SEQ2SEQ_DEFAULTS

__all__ = ["exact_match_accuracy", "run_train_seq2seq"]

MODELS = {"seq2seq": Seq2seq, "peeky": PeekySeq2seq, "attention": AttentionSeq2seq}
SHOWN = 3  # test questions drawn by --plot-attention


class _Usage(Exception):
    pass


def _settings(args) -> dict:
    task = args.task or "addition"
    settings = dict(SEQ2SEQ_DEFAULTS[task])
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings.update(
        network=args.network, task=task, reverse=args.reverse, size=args.size, dtype=args.dtype, seed=args.seed
    )
    if args.plot_attention and args.network != "attention":
        raise _Usage("--plot-attention needs --network attention (only it has attention weights)")
    for option, path in (("--save", args.save), ("--plot", args.plot), ("--plot-attention", args.plot_attention)):
        if path:
            try:
                check_save_path(path)
            except ValueError as error:
                raise _Usage(f"{option}: {error}") from None
    return settings


def exact_match_accuracy(model, xs, ts, start_id, batch_size=128):
    """The fraction of questions whose greedy answer equals ``ts[:, 1:]`` in every character."""
    right = 0
    for begin in range(0, len(xs), batch_size):
        guess = model.generate(xs[begin : begin + batch_size], start_id, ts.shape[1] - 1)
        right += int(np.all(guess == ts[begin : begin + batch_size, 1:], axis=1).sum())
    return right / len(xs)


def _epochs(model, data, settings, optimizer, rng, progress):
    (x_train, t_train), (x_test, t_test), start_id = data
    batch = settings["batch_size"]
    steps = max(1, len(x_train) // batch)
    history = []
    for epoch in range(1, settings["epochs"] + 1):
        started, order, total = time.perf_counter(), rng.permutation(len(x_train)), 0.0
        for step in range(steps):
            index = order[step * batch : (step + 1) * batch]
            loss = float(model.forward(x_train[index], t_train[index]))
            model.backward()
            optimizer.update(model.params, clip_grads(model.grads, settings["max_grad"]))
            total += loss
            progress.step(epoch, loss)
        seconds = time.perf_counter() - started
        accuracy = exact_match_accuracy(model, x_test, t_test, start_id, batch)
        history.append({"epoch": epoch, "loss": total / steps, "test_accuracy": accuracy, "seconds": seconds})
        progress.epoch(epoch, history[-1])
    return history, steps


def run_train_seq2seq(args) -> int:
    err = Console(stderr=True, soft_wrap=True)
    try:
        return _run(args, err)
    except (_Usage, ImportError, ValueError) as error:
        err.print(f"manual-bp train: {error}", markup=False, highlight=False)
        return 2


def _run(args, err: Console) -> int:
    settings = _settings(args)
    load = load_addition if settings["task"] == "addition" else load_dates
    (x_train, t_train), (x_test, t_test), vocab = load(size=settings["size"])
    if settings["reverse"]:
        x_train, x_test = reverse_questions(x_train), reverse_questions(x_test)
    start_id = int(vocab.encode("_")[0])
    rng = np.random.default_rng(settings["seed"])
    model = MODELS[args.network](len(vocab), settings["wordvec"], settings["hidden"], rng=rng, dtype=settings["dtype"])
    optimizer = OPTIMIZERS[settings["optimizer"]](lr=settings["lr"])
    started = time.perf_counter()
    steps_per_epoch = max(1, len(x_train) // settings["batch_size"])
    with TrainingProgress(err, settings["epochs"], settings["epochs"] * steps_per_epoch) as progress:
        data = (x_train, t_train), (x_test, t_test), start_id
        history, steps = _epochs(model, data, settings, optimizer, rng, progress)
    seconds = time.perf_counter() - started
    if args.save:
        from manual_bp.training.checkpoint import save_params

        save_params(args.save, model.params)
    if args.plot:
        _plot_accuracy(args.plot, history, settings)
    if args.plot_attention:
        _plot_attention(args.plot_attention, model, x_test[:SHOWN], start_id, t_test.shape[1] - 1, vocab, settings)
    if args.json:
        report_json = {"settings": settings, "history": history, "seconds": round(seconds, 3)}
        print(json.dumps(report_json, indent=2))
        return 0
    out = Console(soft_wrap=True)
    out.print(
        f"{args.network} on {settings['task']}{' (reversed)' if settings['reverse'] else ''} "
        f"({len(x_train)} train / {len(x_test)} test, vocabulary {len(vocab)}): {settings['optimizer']} "
        f"lr={settings['lr']}, wordvec={settings['wordvec']}, hidden={settings['hidden']}, "
        f"batch={settings['batch_size']}, clip {settings['max_grad']}, {steps} steps per epoch, "
        f"{settings['dtype']}, seed={settings['seed']}",
        markup=False,
        highlight=False,
    )
    for entry in history:
        out.print(
            f"epoch {entry['epoch']}  loss {entry['loss']:.4f}  exact-match test accuracy "
            f"{100 * entry['test_accuracy']:.2f} %  ({entry['seconds']:.1f} s)",
            markup=False,
            highlight=False,
        )
    for sample in _samples(model, x_test[:SHOWN], t_test[:SHOWN], start_id, vocab, settings["reverse"]):
        out.print(sample, markup=False, highlight=False)
    out.print(f"done in {seconds:.1f} s", markup=False, highlight=False)
    for path, what in ((args.save, "parameters"), (args.plot, "plot"), (args.plot_attention, "attention maps")):
        if path:
            out.print(f"{what} written to {path}", markup=False, highlight=False)
    return 0


def _samples(model, xs, ts, start_id, vocab, reverse):
    guesses = model.generate(xs, start_id, ts.shape[1] - 1)
    for x, t, guess in zip(xs, ts, guesses):
        question = vocab.decode(x[::-1] if reverse else x)
        mark = "ok" if np.array_equal(guess, t[1:]) else "wrong"
        yield f"  {question!r} -> {vocab.decode(guess)!r} (answer {vocab.decode(t[1:])!r}, {mark})"


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise _Usage("--plot needs matplotlib: pip install 'manual-bp[plot]'") from None
    return plt


def _plot_accuracy(path: str, history: list, settings: dict) -> None:
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6, 4))
    epochs = [e["epoch"] for e in history]
    axis.plot(epochs, [100 * e["test_accuracy"] for e in history], marker="o")
    axis.set(
        xlabel="epoch",
        ylabel="exact-match test accuracy (%)",
        ylim=(-2, 102),
        title=f"{settings['network']} on {settings['task']}{' (reversed)' if settings['reverse'] else ''}",
    )
    axis.xaxis.get_major_locator().set_params(integer=True)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _plot_attention(path, model, xs, start_id, sample_size, vocab, settings) -> None:
    """One heat map per question: output characters (rows) by input characters (columns), reading order."""
    plt = _pyplot()
    guesses = model.generate(xs, start_id, sample_size)
    weights = model.attention_weights  # (n, sample_size, T)
    figure, axes = plt.subplots(1, len(xs), figsize=(4.2 * len(xs), 3.6), squeeze=False)
    for axis, x, guess, weight in zip(axes[0], xs, guesses, weights):
        if settings["reverse"]:  # the encoder read it backwards; show it as written
            x, weight = x[::-1], weight[:, ::-1]
        axis.imshow(weight, cmap="Greys_r", vmin=0.0, vmax=float(weight.max()), aspect="auto")
        axis.set_xticks(range(len(x)), list(vocab.decode(x)))
        axis.set_yticks(range(len(guess)), list(vocab.decode(guess)))
        axis.set(xlabel="input", ylabel="output")
    figure.suptitle(f"attention weights, {settings['task']}{' (reversed)' if settings['reverse'] else ''}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
