"""Arguments of ``manual-bp train`` for the sequel's encoder-decoder models (standard library only)."""

from __future__ import annotations

from oracle.cli.argtypes import positive_int

__all__ = ["SEQ2SEQ_DEFAULTS", "SEQ2SEQ_NETWORKS", "TASKS", "add_seq2seq_arguments"]

SEQ2SEQ_NETWORKS = ("seq2seq", "peeky", "attention")
TASKS = ("addition", "dates")
# The book's settings (ch. 7 train_seq2seq.py, ch. 8 train.py): Adam lr 0.001, batch 128, clip 5,
# word vectors 16; hidden 128 and 25 epochs on addition, hidden 256 and 10 epochs on dates.
SEQ2SEQ_DEFAULTS = {
    "addition": dict(hidden=128, wordvec=16, optimizer="adam", lr=0.001, epochs=25, batch_size=128, max_grad=5.0),
    "dates": dict(hidden=256, wordvec=16, optimizer="adam", lr=0.001, epochs=10, batch_size=128, max_grad=5.0),
}


def add_seq2seq_arguments(train) -> None:
    """The options only the encoder-decoder models read (``--network seq2seq|peeky|attention``)."""
    train.add_argument(
        "--task",
        choices=TASKS,
        help="seq2seq / peeky / attention: the generated toy task, addition ('16+75' -> '91') or dates "
        "('september 27, 1994' -> '1994-09-27'); default addition",
    )
    train.add_argument(
        "--reverse", action="store_true", help="seq2seq / peeky / attention: read every question backwards"
    )
    train.add_argument(
        "--wordvec", type=positive_int, metavar="D", help="seq2seq / peeky / attention: character vector size (16)"
    )
    train.add_argument(
        "--size",
        type=positive_int,
        default=50_000,
        metavar="N",
        help=(
            "seq2seq / peeky / attention: problems generated, 90%% train / 10%% test "
            "(default: 50000; addition: at most 200000)"
        ),
    )
    train.add_argument(
        "--plot-attention",
        metavar="PATH",
        help="attention: a PNG of the attention weights of a few test questions (input by output characters)",
    )
