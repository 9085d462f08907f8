"""``manual-bp train --network cbow|rnnlm|better-rnnlm --corpus FILE``: the sequel's models on a text file.

The corpus is read like ``load_ptb`` (each line's words, then ``<eos>``); the last 10% of its words
are held out. ``cbow`` trains on (contexts, target) pairs with negative sampling and reports the
mean loss per epoch; the language models read the corpus in ``batch_size`` parallel streams of
``time_size``-step blocks (the book's ``RnnlmTrainer``), clip the global gradient norm, and
report the training and held-out perplexity per epoch (``eval_perplexity``).
"""

from __future__ import annotations

import json
import time

import numpy as np
from rich.console import Console

from manual_bp.data.text import create_contexts_target, load_ptb
from manual_bp.networks.rnnlm import BetterRnnlm, Rnnlm
from manual_bp.networks.word2vec import CBOW
from manual_bp.optimizers import OPTIMIZERS
from manual_bp.training.clipping import clip_grads
from manual_bp.training.perplexity import eval_perplexity
from oracle.cli.progress import TrainingProgress
from oracle.cli.train_text_args import TEXT_DEFAULTS

__all__ = ["run_train_text"]


class _Usage(Exception):
    pass


def _settings(args) -> dict:
    settings = dict(TEXT_DEFAULTS[args.network])
    for key in settings:
        value = getattr(args, key, None)
        if value is not None:
            settings[key] = value
    settings.update(
        network=args.network,
        corpus=args.corpus,
        dtype=args.dtype,
        seed=args.seed,
        time_size=args.time_size,
        window=args.window,
        max_grad=0.25 if args.max_grad is None else args.max_grad,
    )
    return settings


def _cbow_epochs(model, corpus, settings, optimizer, rng, progress):
    contexts, target = create_contexts_target(corpus, settings["window"])
    batch = settings["batch_size"]
    steps = max(1, len(target) // batch)
    history = []
    for epoch in range(1, settings["epochs"] + 1):
        order, total = rng.permutation(len(target)), 0.0
        for step in range(steps):
            index = order[step * batch : (step + 1) * batch]
            loss = float(model.forward(contexts[index], target[index]))
            model.backward()
            optimizer.update(model.params, model.grads)
            total += loss
            progress.step(epoch, loss)
        history.append({"epoch": epoch, "loss": total / steps})
        progress.epoch(epoch, history[-1])
    return history, steps


def _rnnlm_epochs(model, train, held_out, settings, optimizer, progress):
    batch, steps_t = settings["batch_size"], settings["time_size"]
    xs, ts = train[:-1], train[1:]
    jump = len(xs) // batch
    steps = max(1, jump // steps_t)
    if jump < steps_t:
        raise _Usage(
            f"the corpus ({len(train)} training words) is too short for --batch-size {batch} x --time-size {steps_t}"
        )
    offsets, time_idx, history = np.arange(batch) * jump, 0, []
    for epoch in range(1, settings["epochs"] + 1):
        total = 0.0
        for _ in range(steps):
            positions = (offsets[:, None] + time_idx + np.arange(steps_t)[None, :]) % len(xs)
            time_idx += steps_t
            loss = float(model.forward(xs[positions], ts[positions]))
            model.backward()
            grads = clip_grads(model.grads, settings["max_grad"])
            optimizer.update(model.params, grads)
            total += loss
            progress.step(epoch, loss)
        entry = {"epoch": epoch, "train_perplexity": float(np.exp(total / steps))}
        if held_out is not None:
            entry["test_perplexity"] = eval_perplexity(model, held_out, batch_size=min(10, batch), time_size=steps_t)
        history.append(entry)
        progress.epoch(epoch, entry)
    return history, steps


def run_train_text(args) -> int:
    err = Console(stderr=True, soft_wrap=True)
    try:
        return _run(args, err)
    except (_Usage, FileNotFoundError, ValueError) as error:
        err.print(f"manual-bp train: {error}", markup=False, highlight=False)
        return 2


def _run(args, err: Console) -> int:
    if not args.corpus:
        raise _Usage(f"--network {args.network} needs --corpus FILE (a text file, one sentence per line)")
    settings = _settings(args)
    corpus, word_to_id, _ = load_ptb(args.corpus)
    vocab, split = len(word_to_id), int(len(corpus) * 0.9)
    train, held_out = corpus[:split], corpus[split:]
    rng = np.random.default_rng(settings["seed"])
    hidden = settings["hidden"]
    model: CBOW | Rnnlm | BetterRnnlm
    if args.network == "cbow":
        model = CBOW(vocab, hidden, settings["window"], train, rng=rng, dtype=settings["dtype"])
    elif args.network == "rnnlm":
        model = Rnnlm(vocab, hidden, hidden, rng=rng, dtype=settings["dtype"])
    else:
        model = BetterRnnlm(vocab, hidden, hidden, rng=rng, dtype=settings["dtype"])
    optimizer = OPTIMIZERS[settings["optimizer"]](lr=settings["lr"])
    started = time.perf_counter()
    with TrainingProgress(err, settings["epochs"], None) as progress:
        if args.network == "cbow":
            history, steps = _cbow_epochs(model, train, settings, optimizer, rng, progress)
        else:
            held = held_out if len(held_out) > 10 * settings["time_size"] + 1 else None
            history, steps = _rnnlm_epochs(model, train, held, settings, optimizer, progress)
    seconds = time.perf_counter() - started
    if args.save:
        from manual_bp.training.checkpoint import save_params

        save_params(args.save, model.params)
    if args.plot:
        _plot(args.plot, history, settings)
    if args.json:
        print(
            json.dumps(
                {
                    "settings": settings,
                    "vocabulary": vocab,
                    "words": len(corpus),
                    "history": history,
                    "seconds": round(seconds, 3),
                },
                indent=2,
            )
        )
        return 0
    out = Console(soft_wrap=True)
    out.print(
        f"{args.network} on {args.corpus} ({len(corpus)} words, vocabulary {vocab}): {settings['optimizer']} "
        f"lr={settings['lr']}, hidden={hidden}, batch={settings['batch_size']}, {steps} steps per epoch, "
        f"seed={settings['seed']}",
        markup=False,
        highlight=False,
    )
    for entry in history:
        out.print(
            "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in entry.items()),
            markup=False,
            highlight=False,
        )
    out.print(f"done in {seconds:.1f} s", markup=False, highlight=False)
    return 0


def _plot(path: str, history: list, settings: dict) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise _Usage("--plot needs matplotlib: pip install 'manual-bp[plot]'") from None
    figure, axis = plt.subplots(figsize=(6, 4))
    epochs = [e["epoch"] for e in history]
    for key in (k for k in history[0] if k != "epoch"):
        axis.plot(epochs, [e[key] for e in history], marker="o", label=key.replace("_", " "))
    axis.set(xlabel="epoch", title=f"{settings['network']} on {settings['corpus']}")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
