"""``AttentionSeq2seq`` training step vs the same model in PyTorch, on the dates task (issue 11's speed figure).

Run by hand: ``PYTHONPATH=. python bench/seq2seq_speed.py [--steps N] [--blocks N] [--epoch]`` (needs torch).

The book's settings on dates (``manual-bp train --network attention --task dates --reverse``):
V = 59 characters, word vectors D = 16, hidden H = 256, batch 128, questions of T = 29
characters read backwards, answers of 11 (the decoder reads 10, scored on 10), float32, Adam
lr 0.001 (eps 1e-7 on both sides), gradient clipping by the global norm 5.0. One training step
is forward, backward, clipping and update on 128 real questions.

The PyTorch model is the same architecture, started from the same weights (the manual model's,
gates reordered ``[f, g, i, o] -> [i, f, g, o]``; ``nn.LSTM``'s second bias held at zero and not
trained): embedding -> ``nn.LSTM`` encoder returning every state ``hs``; decoder: embedding ->
``nn.LSTM`` from ``h_0 = hs[:, -1]``, ``c_0 = 0`` -> dot-product attention over ``hs`` (scores
``dec_hs @ hs^T``, softmax over the encoder steps, weighted sum) -> ``concat([context, dec_hs])``
-> ``nn.Linear(2H, V)`` -> cross-entropy, mean over all ``N x 10`` positions. Before timing, the
first batch's loss and gradient norm of the two are compared.

One thread each (``torch.set_num_threads(1)``, threadpoolctl for NumPy's BLAS). Both train on the
same batches (one fixed shuffle of the training set), in alternating blocks of ``--steps`` steps,
so machine noise hits both; per step the wall (``perf_counter``) and the process CPU time
(``process_time``) are recorded, and the medians, the per-epoch estimate (``ceil(45000 / 128)``
steps) and the ratios are printed. Then the manual model's step is broken down by layer
(every layer's forward and backward timed in place), and with ``--epoch`` one real epoch of each
is timed once (the trainer's loop: a new shuffle, ``45000 // 128`` full batches).
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from manual_bp.data.sequence import load_dates, reverse_questions
from manual_bp.networks.seq2seq import AttentionSeq2seq
from manual_bp.optimizers import Adam
from manual_bp.training.clipping import clip_grads, global_norm

WORDVEC, HIDDEN, BATCH, LR, EPS, MAX_GRAD = 16, 256, 128, 0.001, 1e-7, 5.0
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def torch_model(manual: AttentionSeq2seq):
    """The same architecture in PyTorch, with the manual model's initial weights."""
    import torch
    from torch import nn

    p = manual.params
    vocab, H = p["encoder_embed_W"].shape[0], HIDDEN

    def lstm_weights(lstm, prefix):
        order = [2, 0, 1, 3]  # torch's [i, f, g, o] from the manual [f, g, i, o]

        def gates(a):
            return np.concatenate([a[..., k * H : (k + 1) * H] for k in order], axis=-1)

        with torch.no_grad():
            lstm.weight_ih_l0.copy_(torch.from_numpy(gates(p[f"{prefix}_lstm_Wx"]).T.copy()))
            lstm.weight_hh_l0.copy_(torch.from_numpy(gates(p[f"{prefix}_lstm_Wh"]).T.copy()))
            lstm.bias_ih_l0.copy_(torch.from_numpy(gates(p[f"{prefix}_lstm_b"])))
            lstm.bias_hh_l0.zero_()
        lstm.bias_hh_l0.requires_grad_(False)  # the manual LSTM has one bias

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc_embed = nn.Embedding(vocab, WORDVEC)
            self.enc_lstm = nn.LSTM(WORDVEC, H, batch_first=True)
            self.dec_embed = nn.Embedding(vocab, WORDVEC)
            self.dec_lstm = nn.LSTM(WORDVEC, H, batch_first=True)
            self.affine = nn.Linear(2 * H, vocab)

        def forward(self, xs, ts):
            hs, _ = self.enc_lstm(self.enc_embed(xs))  # (N, T, H)
            h0 = hs[:, -1].unsqueeze(0)
            dec_hs, _ = self.dec_lstm(self.dec_embed(ts[:, :-1]), (h0, torch.zeros_like(h0)))  # (N, T_d, H)
            weights = torch.softmax(dec_hs @ hs.transpose(1, 2), dim=-1)  # (N, T_d, T)
            context = weights @ hs
            score = self.affine(torch.cat([context, dec_hs], dim=2))
            return nn.functional.cross_entropy(score.reshape(-1, vocab), ts[:, 1:].reshape(-1))

    model = Model()
    with torch.no_grad():
        model.enc_embed.weight.copy_(torch.from_numpy(p["encoder_embed_W"]))
        model.dec_embed.weight.copy_(torch.from_numpy(p["decoder_embed_W"]))
        model.affine.weight.copy_(torch.from_numpy(p["decoder_affine_W"].T.copy()))
        model.affine.bias.copy_(torch.from_numpy(p["decoder_affine_b"]))
    lstm_weights(model.enc_lstm, "encoder")
    lstm_weights(model.dec_lstm, "decoder")
    return model


def manual_side(vocab_size, seed):
    model = AttentionSeq2seq(vocab_size, WORDVEC, HIDDEN, seed=seed, dtype=np.float32)
    optimizer = Adam(lr=LR, eps=EPS)

    def step(xs, ts):
        loss = float(model.forward(xs, ts))
        model.backward()
        optimizer.update(model.params, clip_grads(model.grads, MAX_GRAD))
        return loss

    return model, optimizer, step


def torch_side(manual):
    import torch

    model = torch_model(manual)
    trained = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.Adam(trained, lr=LR, eps=EPS)

    def step(xs, ts):
        optimizer.zero_grad(set_to_none=True)
        loss = model(torch.from_numpy(xs), torch.from_numpy(ts))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, MAX_GRAD)
        optimizer.step()
        return loss.item()

    return model, step


def check_same_model(vocab_size, seed, xs, ts):
    """The first batch's loss and global gradient norm of fresh copies of both models."""
    import torch

    manual = AttentionSeq2seq(vocab_size, WORDVEC, HIDDEN, seed=seed, dtype=np.float32)
    model = torch_model(manual)
    loss_m = float(manual.forward(xs, ts))
    manual.backward()
    loss_t = model(torch.from_numpy(xs), torch.from_numpy(ts))
    loss_t.backward()
    norm_t = float(torch.sqrt(sum((q.grad.double() ** 2).sum() for q in model.parameters() if q.grad is not None)))
    print(
        f"same model: first-batch loss manual {loss_m:.6f}, torch {loss_t.item():.6f}; "
        f"gradient norm manual {global_norm(manual.grads):.6f}, torch {norm_t:.6f}"
    )


def timed(step, xs, ts, record):
    start = {name: clock() for name, clock in CLOCKS.items()}
    step(xs, ts)
    for name, clock in CLOCKS.items():
        record[name].append(clock() - start[name])


def profile_manual(model, optimizer, batches):
    """Every layer's forward and backward of the manual model, timed in place (wall), plus clip and update."""
    enc, dec = model.encoder, model.decoder
    layers = {
        "encoder TimeEmbedding": enc.embed,
        "encoder TimeLSTM (T=29)": enc.lstm,
        "decoder TimeEmbedding": dec.embed,
        "decoder TimeLSTM (T=10)": dec.lstm,
        "TimeAttention": dec.attention,
        "TimeAffine (2H -> V)": dec.affine,
        "TimeSoftmaxWithLoss": model.loss_layer,
    }
    spent: dict[tuple[str, str], list[float]] = {}

    def wrap(name, layer, method):
        inner = getattr(layer, method)

        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent.setdefault((name, method), []).append(time.perf_counter() - start)

        setattr(layer, method, call)

    for name, layer in layers.items():
        for method in ("forward", "backward"):
            wrap(name, layer, method)
    totals, clip_times, update_times = [], [], []
    for xs, ts in batches:
        start = time.perf_counter()
        model.forward(xs, ts)
        model.backward()
        middle = time.perf_counter()
        grads = clip_grads(model.grads, MAX_GRAD)
        clipped = time.perf_counter()
        optimizer.update(model.params, grads)
        end = time.perf_counter()
        clip_times.append(clipped - middle)
        update_times.append(end - clipped)
        totals.append(end - start)
    total = statistics.median(totals)
    rows = [(f"{name} {method}", statistics.median(values)) for (name, method), values in spent.items()]
    rows += [("clip_grads", statistics.median(clip_times)), ("Adam.update", statistics.median(update_times))]
    rows.sort(key=lambda row: -row[1])
    print(f"manual step by layer (wall, medians of {len(batches)} steps; total {total * 1e3:.1f} ms):")
    for name, seconds in rows:
        print(f"  {name:<38}{seconds * 1e3:>8.2f} ms {100 * seconds / total:>5.1f} %")
    rest = total - sum(seconds for _, seconds in rows)
    print(f"  {'the rest (concatenations, checks)':<38}{rest * 1e3:>8.2f} ms {100 * rest / total:>5.1f} %")


def one_epoch(step, x_train, t_train, seed):
    order = np.random.default_rng(seed).permutation(len(x_train))
    steps = len(x_train) // BATCH
    start = {name: clock() for name, clock in CLOCKS.items()}
    for k in range(steps):
        index = order[k * BATCH : (k + 1) * BATCH]
        step(x_train[index], t_train[index])
    return steps, {name: clock() - start[name] for name, clock in CLOCKS.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="steps per block (default 10)")
    parser.add_argument("--blocks", type=int, default=6, help="alternating blocks per side (default 6)")
    parser.add_argument("--profile-steps", type=int, default=10, help="manual steps broken down by layer (10)")
    parser.add_argument("--epoch", action="store_true", help="also time one real epoch of each, once")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    (x_train, t_train), _, vocab = load_dates()
    x_train = reverse_questions(x_train)
    V = len(vocab)
    per_epoch = math.ceil(len(x_train) / BATCH)
    print(
        f"AttentionSeq2seq on dates: {len(x_train)} questions {x_train.shape[1]} long, answers {t_train.shape[1]}, "
        f"V={V}, D={WORDVEC}, H={HIDDEN}, batch {BATCH}, float32, Adam lr {LR}, clip {MAX_GRAD}; "
        f"torch {torch.__version__}, NumPy {np.__version__}, {platform.machine()}, 1 thread each"
    )
    order = np.random.default_rng(args.seed).permutation(len(x_train))
    needed = args.blocks * args.steps + 1

    def batch(k):
        index = order[(k % per_epoch) * BATCH : (k % per_epoch + 1) * BATCH]
        return x_train[index], t_train[index]

    with threadpool_limits(1):
        check_same_model(V, args.seed, *batch(0))
        manual, manual_optimizer, manual_step = manual_side(V, args.seed)
        _, torch_step = torch_side(manual)
        sides = {"manual_bp": manual_step, "torch": torch_step}
        for step in sides.values():  # warm up: buffers, optimizer state
            step(*batch(0))
        records = {name: {"wall": [], "cpu": []} for name in sides}
        for block in range(args.blocks):
            for name, step in sides.items():
                for k in range(args.steps):
                    timed(step, *batch(1 + block * args.steps + k), records[name])
        med = {(name, clock): statistics.median(records[name][clock]) for name in sides for clock in CLOCKS}
        print(
            f"one training step (forward, backward, clip, update), medians of {args.blocks} alternating blocks of "
            f"{args.steps} steps ({needed - 1} batches, the same for both); epoch estimate = {per_epoch} steps"
        )
        print(f"{'side':<12}{'wall ms':>10}{'cpu ms':>10}{'epoch wall s':>14}{'epoch cpu s':>13}")
        for name in sides:
            wall, cpu = med[name, "wall"], med[name, "cpu"]
            print(f"{name:<12}{wall * 1e3:>10.1f}{cpu * 1e3:>10.1f}{wall * per_epoch:>14.1f}{cpu * per_epoch:>13.1f}")
        print(
            f"manual / torch: wall {med['manual_bp', 'wall'] / med['torch', 'wall']:.2f}x, "
            f"cpu {med['manual_bp', 'cpu'] / med['torch', 'cpu']:.2f}x"
        )
        profile_manual(manual, manual_optimizer, [batch(k) for k in range(args.profile_steps)])
        if args.epoch:
            for name, step in sides.items():
                steps, spent = one_epoch(step, x_train, t_train, args.seed + 1)
                print(f"one real epoch, {name}: {steps} steps, wall {spent['wall']:.1f} s, cpu {spent['cpu']:.1f} s")


if __name__ == "__main__":
    main()
