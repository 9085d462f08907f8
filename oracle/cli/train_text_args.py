"""Arguments of ``manual-bp train`` for the sequel's networks on a text corpus (standard library only)."""

from __future__ import annotations

from oracle.cli.argtypes import positive_float, positive_int

__all__ = ["TEXT_DEFAULTS", "TEXT_NETWORKS", "add_text_arguments"]

TEXT_NETWORKS = ("cbow", "rnnlm", "better-rnnlm")
# The book's settings where they fit a small corpus on a CPU (ch. 4 and 6: SGD lr 20, clip 0.25); float32 as the book.
TEXT_DEFAULTS = {
    "cbow": dict(hidden=50, optimizer="adam", lr=0.001, epochs=5, batch_size=100, window=2, dtype="float32"),
    "rnnlm": dict(
        hidden=100, optimizer="sgd", lr=20.0, epochs=4, batch_size=20, time_size=35, max_grad=0.25, dtype="float32"
    ),
    "better-rnnlm": dict(
        hidden=100, optimizer="sgd", lr=20.0, epochs=4, batch_size=20, time_size=35, max_grad=0.25, dtype="float32"
    ),
}


def add_text_arguments(group) -> None:
    """The options only the text networks read (``--network cbow|rnnlm|better-rnnlm``)."""
    group.add_argument(
        "--corpus",
        metavar="FILE",
        help="a UTF-8 text file, one sentence per line (ptb.train.txt works); required by these networks",
    )
    group.add_argument(
        "--time-size",
        type=positive_int,
        metavar="T",
        help="rnnlm / better-rnnlm: time steps per truncated-BPTT block (default: 35)",
    )
    group.add_argument("--window", type=positive_int, metavar="W", help="cbow: context words per side (default: 2)")
    group.add_argument(
        "--max-grad",
        type=positive_float,
        metavar="NORM",
        help="rnnlm / better-rnnlm: clip gradients to this global norm (default: 0.25; seq2seq / peeky / "
        "attention: 5.0)",
    )
