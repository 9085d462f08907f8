"""``manual-bp train --network cbow|rnnlm|better-rnnlm --corpus FILE``: the sequel's models on a text file.

The corpus is read like ``load_ptb`` (each line's words, then ``<eos>``); the last 10% of its words
are held out. ``cbow`` trains on (contexts, target) pairs with negative sampling and reports the
mean loss per epoch; the language models read the corpus in ``batch_size`` parallel streams of
``time_size``-step blocks (the book's ``RnnlmTrainer``), clip the global gradient norm, and
report the training and held-out perplexity per epoch (``eval_perplexity``). The loop's
bookkeeping and the report are ``TrainingSession``'s, as for every family.
"""

from __future__ import annotations

import pathlib

import numpy as np

from manual_bp.data.text import create_contexts_target, load_ptb
from manual_bp.networks.rnnlm import BetterRnnlm, Rnnlm
from manual_bp.networks.word2vec import CBOW
from manual_bp.optimizers import OPTIMIZERS
from manual_bp.training.clipping import clip_grads
from manual_bp.training.perplexity import eval_perplexity
from oracle.cli.outputs import UsageError, require_matplotlib
from oracle.cli.threads import choose_threads
from oracle.cli.train_session import TrainingSession
from oracle.cli.train_text_args import TEXT_DEFAULTS

__all__ = ["read_corpus", "run_train_text"]


def _settings(args) -> dict:
    settings = dict(TEXT_DEFAULTS[args.network])
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings.update(network=args.network, corpus=args.corpus, seed=args.seed)
    return settings


def read_corpus(path: str):
    """``load_ptb(path)``, or ``UsageError`` naming the file when it is missing, not text, or empty."""
    file = pathlib.Path(path)
    if not file.is_file():
        raise UsageError(f"--corpus {path}: no such file" if not file.exists() else f"--corpus {path}: not a file")
    raw = file.read_bytes()
    if b"\0" in raw:
        raise UsageError(f"--corpus {path}: a binary file (it holds NUL bytes), not text")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"--corpus {path}: not UTF-8 text (byte {error.start} cannot be decoded)") from None
    corpus, word_to_id, _ = load_ptb(file)
    if len(word_to_id) < 2 or len(corpus) < 20:
        what = "empty" if len(corpus) == 0 else "too little text"
        raise UsageError(f"--corpus {path}: {what} ({len(corpus)} words with <eos>, {len(word_to_id)} distinct)")
    return corpus, word_to_id


def _cbow_epochs(model, corpus, settings, optimizer, rng, session):
    contexts, target = create_contexts_target(corpus, settings["window"])
    batch = settings["batch_size"]
    steps = max(1, len(target) // batch)
    for epoch in range(1, settings["epochs"] + 1):
        order, total = rng.permutation(len(target)), 0.0
        for step in range(steps):
            index = order[step * batch : (step + 1) * batch]
            loss = float(model.forward(contexts[index], target[index]))
            session.step(epoch, step + 1, loss)
            model.backward()
            optimizer.update(model.params, model.grads)
            total += loss
        session.epoch(epoch, {"loss": total / steps})


def _rnnlm_epochs(model, train, held_out, settings, optimizer, session):
    batch, steps_t = settings["batch_size"], settings["time_size"]
    xs, ts = train[:-1], train[1:]
    jump = len(xs) // batch
    steps = max(1, jump // steps_t)
    offsets, time_idx = np.arange(batch) * jump, 0
    for epoch in range(1, settings["epochs"] + 1):
        total = 0.0
        for step in range(steps):
            positions = (offsets[:, None] + time_idx + np.arange(steps_t)[None, :]) % len(xs)
            time_idx += steps_t
            loss = float(model.forward(xs[positions], ts[positions]))
            session.step(epoch, step + 1, loss)
            model.backward()
            grads = clip_grads(model.grads, settings["max_grad"])
            optimizer.update(model.params, grads)
            total += loss
        entry = {"train_perplexity": float(np.exp(total / steps))}
        if held_out is not None:
            entry["test_perplexity"] = eval_perplexity(model, held_out, batch_size=min(10, batch), time_size=steps_t)
        session.epoch(epoch, entry)


def _steps(settings: dict, train_words: int, network: str) -> int:
    if network == "cbow":
        return max(1, (train_words - 2 * settings["window"]) // settings["batch_size"])
    batch, steps_t = settings["batch_size"], settings["time_size"]
    jump = (train_words - 1) // batch
    if jump < steps_t:
        raise UsageError(
            f"the corpus ({train_words} training words) is too short for --batch-size {batch} x --time-size {steps_t}"
        )
    return max(1, jump // steps_t)


def run_train_text(args, session: TrainingSession) -> int:
    settings = _settings(args)
    corpus, word_to_id = read_corpus(args.corpus)
    vocab, split = len(word_to_id), int(len(corpus) * 0.9)
    train, held_out = corpus[:split], corpus[split:]
    steps = _steps(settings, len(train), args.network)
    rng = np.random.default_rng(settings["seed"])
    hidden, dtype = settings["hidden"], settings["dtype"]
    model: CBOW | Rnnlm | BetterRnnlm
    if args.network == "cbow":
        model = CBOW(vocab, hidden, settings["window"], train, rng=rng, dtype=dtype)
        largest = settings["batch_size"] * 2 * settings["window"] * hidden
    else:
        model = (Rnnlm if args.network == "rnnlm" else BetterRnnlm)(vocab, hidden, hidden, rng=rng, dtype=dtype)
        largest = settings["batch_size"] * settings["time_size"] * hidden * vocab  # the output Affine
    optimizer = OPTIMIZERS[settings["optimizer"]](lr=settings["lr"])
    threads = args.threads or choose_threads(largest)
    with session.training(settings, settings["epochs"] * steps, model.params, threads=threads):
        if args.network == "cbow":
            _cbow_epochs(model, train, settings, optimizer, rng, session)
        else:
            held = held_out if len(held_out) > 10 * settings["time_size"] + 1 else None
            _rnnlm_epochs(model, train, held, settings, optimizer, session)
    header = (
        f"{args.network} on {args.corpus} ({len(corpus)} words, vocabulary {vocab}): {settings['optimizer']} "
        f"lr={settings['lr']}, hidden={hidden}, batch={settings['batch_size']}, {steps} steps per epoch, "
        f"{dtype}, {threads} BLAS thread{'s' if threads > 1 else ''}, seed={settings['seed']}"
    )
    data = {"train": len(train), "test": len(held_out), "vocabulary": vocab, "words": len(corpus)}
    writers = {"plot": (args.plot, lambda path: _plot(path, session.history, settings))}
    return session.report(settings, data, header, writers=writers)


def _plot(path, history: list, settings: dict) -> None:
    require_matplotlib("--plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    epochs = [e["epoch"] for e in history]
    for key in (k for k in history[0] if k not in ("epoch", "seconds")):
        axis.plot(epochs, [e[key] for e in history], marker="o", label=key.replace("_", " "))
    axis.set(xlabel="epoch", title=f"{settings['network']} on {settings['corpus']}")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
