"""The README's seq2seq reproduction table (issue 11): train the book's toy-task runs and print the table.

Run by hand: ``python bench/reproduce_seq2seq.py [--task addition|dates|all] [--jobs 2] [--out DIR]``
(addition: 8 runs of about 100 s each; dates: 4 runs of about 7 minutes each, two at a time on a
2-core machine). ``--table-only`` prints the table again from the JSON reports already in ``--out``.

Each run is ``manual-bp train ... --dtype float32 --json`` in a fresh process with one BLAS thread
(``OPENBLAS_NUM_THREADS=1`` and friends; the per-step products are small, and a second thread
made them slower here), the settings the README table states:

- addition, 25 epochs: baseline seeds 0 and 1, ``--reverse`` seeds 0-2, ``peeky --reverse`` seeds 0-2;
- dates, ``--reverse``, 10 epochs: ``attention`` seeds 0-2, ``peeky`` seed 0.

The table gives the exact-match test accuracy (%) at the epochs the book reports, the median
and the maximum of the last five epochs (one epoch's figure can drop by 15 points and recover),
and the median seconds per training epoch. The book's own figures (its code on its files, from
``shared/design/book2-notes.md``) are printed in a last column for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

RUNS = {
    "addition": [
        ("seq2seq", False, 0),
        ("seq2seq", False, 1),
        ("seq2seq", True, 0),
        ("seq2seq", True, 1),
        ("seq2seq", True, 2),
        ("peeky", True, 0),
        ("peeky", True, 1),
        ("peeky", True, 2),
    ],
    "dates": [("attention", True, 0), ("attention", True, 1), ("attention", True, 2), ("peeky", True, 0)],
}
EPOCHS = {"addition": 25, "dates": 10}
SHOWN = {"addition": (5, 10, 15, 20, 25), "dates": (1, 2, 3, 4, 5, 10)}
BOOK = {
    ("addition", "seq2seq", False): "2.3 / 4.7 / 7.3 / 9.3 / 12.1",
    ("addition", "seq2seq", True): "12.5 / 29.8 / 41.1 / 49.9 / 54.0",
    ("addition", "peeky", True): "9.4 / 88.4 / 96.7 / 97.7 / 98.4",
    ("dates", "attention", True): "0.0 / 51.8 / 99.9 / 99.9 / 99.96 / 100",
    ("dates", "peeky", True): "0.02 / 0.46 / 39.1 / 93.2 / 99.9 / 100",
}
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def report_path(out: pathlib.Path, task: str, network: str, reverse: bool, seed: int) -> pathlib.Path:
    return out / f"{task}-{network}{'-reverse' if reverse else ''}-seed{seed}.json"


def train(task: str, network: str, reverse: bool, seed: int, out: pathlib.Path) -> pathlib.Path:
    """One run in a fresh process; its JSON report is written to ``out`` (kept if already there)."""
    path = report_path(out, task, network, reverse, seed)
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "oracle.cli", "train", "--network", network, "--task", task]
    command += ["--epochs", str(EPOCHS[task]), "--seed", str(seed), "--dtype", "float32", "--json"]
    command += ["--reverse"] if reverse else []
    print("running:", " ".join(command[1:]), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **ONE_THREAD})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    path.with_suffix(".tmp").write_text(done.stdout)
    path.with_suffix(".tmp").replace(path)
    return path


def table(task: str, out: pathlib.Path) -> str:
    """The markdown table of ``task``'s runs found in ``out``."""
    shown = SHOWN[task]
    head = f"| {task} | " + " | ".join(f"epoch {e}" for e in shown)
    lines = [
        head + " | last 5: median (max) | book | s per epoch |",
        "|---|" + "---:|" * (len(shown) + 1) + "---|---:|",
    ]
    for network, reverse, seed in RUNS[task]:
        path = report_path(out, task, network, reverse, seed)
        if not path.exists():
            continue
        history = json.loads(path.read_text())["history"]
        accuracy = [100 * entry["test_accuracy"] for entry in history]
        last = accuracy[-5:]
        cells = [f"{accuracy[e - 1]:.1f}" if e <= len(accuracy) else "" for e in shown]
        seconds = statistics.median(entry["seconds"] for entry in history)
        name = f"`{network}{' --reverse' if reverse else ''}`, seed {seed}"
        book = BOOK.get((task, network, reverse), "") if seed == 0 else ""
        summary = f"{statistics.median(last):.1f} ({max(last):.1f})"
        lines.append(f"| {name} | {' | '.join(cells)} | {summary} | {book} | {seconds:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=["addition", "dates", "all"], default="addition")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("bench/out/seq2seq"))
    parser.add_argument("--table-only", action="store_true", help="print the table from the reports in --out")
    args = parser.parse_args()
    tasks = ["addition", "dates"] if args.task == "all" else [args.task]
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.table_only:
        runs = [(task, *run) for task in tasks for run in RUNS[task]]
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            list(pool.map(lambda run: train(*run, args.out), runs))
    for task in tasks:
        print(table(task, args.out), end="\n\n")


if __name__ == "__main__":
    main()
