"""Arguments of ``manual-bp train`` for the sequel's encoder-decoder models (standard library only)."""

from __future__ import annotations

from oracle.cli.argtypes import positive_int, problem_count

__all__ = ["MAX_SIZE", "SEQ2SEQ_DEFAULTS", "SEQ2SEQ_NETWORKS", "TASKS", "add_seq2seq_arguments"]

SEQ2SEQ_NETWORKS = ("seq2seq", "peeky", "attention")
TASKS = ("addition", "dates")
MAX_SIZE = {"addition": 200_000}  # distinct pairs of operands below 1000 run out (manual_bp.data.sequence)
# The book's settings (ch. 7 train_seq2seq.py, ch. 8 train.py): Adam lr 0.001, batch 128, clip 5,
# word vectors 16; hidden 128 and 25 epochs on addition, hidden 256 and 10 epochs on dates; float32.
_COMMON = dict(wordvec=16, optimizer="adam", lr=0.001, batch_size=128, max_grad=5.0, size=50_000, dtype="float32")
SEQ2SEQ_DEFAULTS = {
    "addition": dict(hidden=128, epochs=25, **_COMMON),
    "dates": dict(hidden=256, epochs=10, **_COMMON),
}


def add_seq2seq_arguments(group) -> None:
    """The options only the encoder-decoder models read (``--network seq2seq|peeky|attention``)."""
    group.add_argument(
        "--task",
        choices=TASKS,
        help="the generated toy task, addition ('16+75' -> '91') or dates "
        "('september 27, 1994' -> '1994-09-27'); default addition",
    )
    group.add_argument(
        "--reverse", action="store_true", default=None, help="read every question backwards (the book's trick)"
    )
    group.add_argument("--wordvec", type=positive_int, metavar="D", help="character vector size (default: 16)")
    group.add_argument(
        "--size",
        type=problem_count,
        metavar="N",
        help="problems generated, 90%% train / 10%% test (default: 50000; at least 10; addition: at most 200000)",
    )
    group.add_argument(
        "--plot-attention",
        metavar="PATH",
        help="attention: a PNG of the attention weights of a few test questions (input by output characters)",
    )
