"""``manual-bp train --network seq2seq|peeky|attention --task addition|dates [--reverse]``: the sequel's
encoder-decoder models on the generated toy tasks (ch. 7-8).

The loop's bookkeeping and the report are ``TrainingSession``'s, as for every family. The book's
loop (its ``Trainer``): every epoch a new shuffle (``np.random.default_rng(seed)``),
``len // batch_size`` minibatches (the rest dropped), ``forward -> backward -> clip_grads ->
update``; after each epoch the exact-match accuracy on the test questions: a greedy answer
(``generate`` with the answer's length minus the start symbol) counts only if every character,
padding included, is right (the book's ``eval_seq2seq``). Evaluation goes ``batch_size``
questions at a time.
"""

from __future__ import annotations

import numpy as np

from manual_bp.data.sequence import load_addition, load_dates, reverse_questions
from manual_bp.networks.seq2seq import AttentionSeq2seq, PeekySeq2seq, Seq2seq
from manual_bp.optimizers import OPTIMIZERS
from manual_bp.training.clipping import clip_grads
from oracle.cli.outputs import require_matplotlib
from oracle.cli.threads import choose_threads
from oracle.cli.train_seq2seq_args import SEQ2SEQ_DEFAULTS
from oracle.cli.train_session import TrainingSession

__all__ = ["exact_match_accuracy", "run_train_seq2seq"]

MODELS = {"seq2seq": Seq2seq, "peeky": PeekySeq2seq, "attention": AttentionSeq2seq}
SHOWN = 3  # test questions drawn by --plot-attention


def _settings(args) -> dict:
    task = args.task or "addition"
    settings = dict(SEQ2SEQ_DEFAULTS[task])
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings.update(network=args.network, task=task, reverse=bool(args.reverse), seed=args.seed)
    return settings


def exact_match_accuracy(model, xs, ts, start_id, batch_size=128):
    """The fraction of questions whose greedy answer equals ``ts[:, 1:]`` in every character."""
    right = 0
    for begin in range(0, len(xs), batch_size):
        guess = model.generate(xs[begin : begin + batch_size], start_id, ts.shape[1] - 1)
        right += int(np.all(guess == ts[begin : begin + batch_size, 1:], axis=1).sum())
    return right / len(xs)


def _epochs(model, data, settings, optimizer, rng, session: TrainingSession) -> int:
    (x_train, t_train), (x_test, t_test), start_id = data
    batch = settings["batch_size"]
    steps = max(1, len(x_train) // batch)
    for epoch in range(1, settings["epochs"] + 1):
        order, total = rng.permutation(len(x_train)), 0.0
        for step in range(steps):
            index = order[step * batch : (step + 1) * batch]
            loss = float(model.forward(x_train[index], t_train[index]))
            session.step(epoch, step + 1, loss)
            model.backward()
            optimizer.update(model.params, clip_grads(model.grads, settings["max_grad"]))
            total += loss
        accuracy = exact_match_accuracy(model, x_test, t_test, start_id, batch)
        session.epoch(epoch, {"loss": total / steps, "test_accuracy": accuracy})
    return steps


def run_train_seq2seq(args, session: TrainingSession) -> int:
    settings = _settings(args)
    load = load_addition if settings["task"] == "addition" else load_dates
    (x_train, t_train), (x_test, t_test), vocab = load(size=settings["size"])
    if settings["reverse"]:
        x_train, x_test = reverse_questions(x_train), reverse_questions(x_test)
    start_id = int(vocab.encode("_")[0])
    rng = np.random.default_rng(settings["seed"])
    hidden, wordvec = settings["hidden"], settings["wordvec"]
    model = MODELS[args.network](len(vocab), wordvec, hidden, rng=rng, dtype=settings["dtype"])
    optimizer = OPTIMIZERS[settings["optimizer"]](lr=settings["lr"])
    steps_per_epoch = max(1, len(x_train) // settings["batch_size"])
    # the largest product of a step: the decoder's inputs (peeky: with the encoder's state) by 4H gates
    threads = args.threads or choose_threads(settings["batch_size"] * (wordvec + 2 * hidden) * 4 * hidden)
    data = (x_train, t_train), (x_test, t_test), start_id
    with session.training(settings, settings["epochs"] * steps_per_epoch, model.params, threads=threads):
        steps = _epochs(model, data, settings, optimizer, rng, session)
    header = (
        f"{args.network} on {settings['task']}{' (reversed)' if settings['reverse'] else ''} "
        f"({len(x_train)} train / {len(x_test)} test, vocabulary {len(vocab)}): {settings['optimizer']} "
        f"lr={settings['lr']}, wordvec={wordvec}, hidden={hidden}, "
        f"batch={settings['batch_size']}, clip {settings['max_grad']}, {steps} steps per epoch, "
        f"{settings['dtype']}, {threads} BLAS thread{'s' if threads > 1 else ''}, seed={settings['seed']}"
    )
    sample_size = t_test.shape[1] - 1
    writers = {
        "plot": (args.plot, lambda path: _plot_accuracy(path, session.history, settings)),
        "attention plot": (
            args.plot_attention,
            lambda path: _plot_attention(path, model, x_test[:SHOWN], start_id, sample_size, vocab, settings),
        ),
    }

    def samples() -> list:
        return list(_samples(model, x_test[:SHOWN], t_test[:SHOWN], start_id, vocab, settings["reverse"]))

    data_sizes = {"train": len(x_train), "test": len(x_test), "vocabulary": len(vocab)}
    return session.report(settings, data_sizes, header, extra_lines=samples, writers=writers)


def _samples(model, xs, ts, start_id, vocab, reverse):
    guesses = model.generate(xs, start_id, ts.shape[1] - 1)
    for x, t, guess in zip(xs, ts, guesses):
        question = vocab.decode(x[::-1] if reverse else x)
        mark = "ok" if np.array_equal(guess, t[1:]) else "wrong"
        yield f"  {question!r} -> {vocab.decode(guess)!r} (answer {vocab.decode(t[1:])!r}, {mark})"


def _pyplot():
    require_matplotlib("--plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
