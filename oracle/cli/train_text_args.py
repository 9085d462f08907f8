"""Arguments of ``manual-bp train`` for the sequel's networks on a text corpus (standard library only)."""

from __future__ import annotations

from oracle.cli.argtypes import positive_float, positive_int

__all__ = ["TEXT_DEFAULTS", "TEXT_NETWORKS", "add_text_arguments"]

TEXT_NETWORKS = ("cbow", "rnnlm", "better-rnnlm")
# The book's settings where they fit a small corpus on a CPU (ch. 4 and 6: SGD lr 20, clip 0.25).
TEXT_DEFAULTS = {
    "cbow": dict(hidden=50, optimizer="adam", lr=0.001, epochs=5, batch_size=100),
    "rnnlm": dict(hidden=100, optimizer="sgd", lr=20.0, epochs=4, batch_size=20),
    "better-rnnlm": dict(hidden=100, optimizer="sgd", lr=20.0, epochs=4, batch_size=20),
}


def add_text_arguments(train) -> None:
    """The options only the text networks read (``--network cbow|rnnlm|better-rnnlm``)."""
    train.add_argument(
        "--corpus",
        metavar="FILE",
        help="cbow / rnnlm / better-rnnlm: a text file, one sentence per line (ptb.train.txt works)",
    )
    train.add_argument(
        "--time-size",
        type=positive_int,
        default=35,
        metavar="T",
        help="rnnlm / better-rnnlm: time steps per truncated-BPTT block (default: 35)",
    )
    train.add_argument(
        "--window", type=positive_int, default=2, metavar="W", help="cbow: context words per side (default: 2)"
    )
    train.add_argument(
        "--max-grad",
        type=positive_float,
        metavar="NORM",
        help="rnnlm / better-rnnlm: clip gradients to this global norm (default: 0.25; seq2seq / peeky / "
        "attention: 5.0)",
    )
