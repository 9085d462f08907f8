"""The sequel's toy sequence tasks (chapters 7 and 8), generated here, in the book's text format.

One problem per line: the question, then the answer beginning with ``_`` (the decoder's start
symbol), both space-padded to fixed widths (the book's ``dataset/addition.txt`` and
``date.txt``, so a user's copy of those files loads too)::

    16+75  _91          question 7 characters, answer 5 (operands of up to 3 digits)
    september 27, 1994           _1994-09-27      question 29, answer 11

- ``addition_lines`` / ``date_lines``: the problems, generated from a seed (``data_seed``).
- ``load_addition`` / ``load_dates``: ``(x_train, t_train), (x_test, t_test), vocab``: character
  ids ``int64``, ``(N, question width)`` and ``(N, answer width)``, a fixed 90/10 split per
  ``seed`` (shuffled, the last tenth is the test set, as the book's ``load_data``).
- ``load_sequence_file(path)``: the same from a file in that format (the book's files).
- ``Vocabulary``: one per data set, ids in order of first appearance (question, then answer,
  line by line: a book file loaded alone gets the book's ids). The book's loader keeps one
  module-global vocabulary that grows with every file it loads; here nothing is shared.
- ``reverse_questions(x)``: the questions read backwards (the book's ``--reverse`` trick).
- ``padding_mask(x, vocab)``: ``True`` where a question's character is real, ``False`` on its
  padding (the attention layers' ``mask``).

Randomness comes only from ``np.random.default_rng(seed)``; the global NumPy state is never
touched (the book's loader reseeds it).
"""

from __future__ import annotations

import datetime
import numbers
import pathlib
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "ADDITION_WIDTHS",
    "DATE_FORMATS",
    "DATE_WIDTHS",
    "MAX_ADDITION_SIZE",
    "START",
    "Vocabulary",
    "addition_lines",
    "date_lines",
    "encode_lines",
    "load_addition",
    "load_dates",
    "load_sequence_file",
    "padding_mask",
    "reverse_questions",
    "split_lines",
    "write_sequence_file",
]

START = "_"  # begins every answer: the decoder's first input
ADDITION_WIDTHS = (7, 5)  # "999+999", "_1998"
DATE_WIDTHS = (29, 11)  # "Wednesday, September 27, 1994", "_1994-09-27"
DATE_FORMATS = ("long", "short", "numeric", "weekday")  # see date_lines
DATE_RANGE = (datetime.date(1970, 1, 1), datetime.date(2017, 12, 31))  # the years the book's date.txt covers
SIZE = 50_000
MAX_ADDITION_SIZE = 200_000  # distinct unordered pairs drawn as addition_lines does; see there
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Vocabulary:
    """Characters and their ids, ``0 .. len - 1`` in the order given (first appearance).

    ``encode(text)`` -> ``int64`` ids, ``decode(ids)`` -> text, ``char_to_id`` / ``id_to_char``
    (copies, the book's names), ``len(vocab)``, ``char in vocab``.
    """

    def __init__(self, chars: Iterable[str]):
        self.chars = tuple(dict.fromkeys(chars))
        for char in self.chars:
            if not isinstance(char, str) or len(char) != 1:
                raise TypeError(f"a vocabulary holds single characters, got {char!r}")
        self._ids = {char: i for i, char in enumerate(self.chars)}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        """The characters of ``texts`` in order of first appearance."""
        return cls(char for text in texts for char in text)

    def __len__(self) -> int:
        return len(self.chars)

    def __contains__(self, char) -> bool:
        return char in self._ids

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and self.chars == other.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    def __repr__(self) -> str:
        return f"Vocabulary({''.join(self.chars)!r})"

    @property
    def char_to_id(self) -> dict:
        return dict(self._ids)

    @property
    def id_to_char(self) -> dict:
        return dict(enumerate(self.chars))

    def encode(self, text: str) -> np.ndarray:
        """The ids of ``text``'s characters, ``int64`` of shape ``(len(text),)``."""
        unknown = [char for char in text if char not in self._ids]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not in the vocabulary {''.join(self.chars)!r}")
        return np.array([self._ids[char] for char in text], dtype=np.int64)

    def decode(self, ids) -> str:
        """The text of a sequence of ids."""
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise TypeError(f"ids must be a 1-D integer array, got {ids.dtype} of shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.chars)):
            raise ValueError(f"ids must lie in [0, {len(self.chars)}), got {int(ids.min())} .. {int(ids.max())}")
        return "".join(self.chars[i] for i in ids)


def _size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, numbers.Integral):
        raise TypeError(f"size must be an int, got {type(size).__name__}")
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    return int(size)


def addition_lines(size: int = SIZE, *, data_seed: int = 0) -> list:
    """``size`` distinct addition problems ``"a+b"`` -> ``"_" + str(a + b)``, padded to ``ADDITION_WIDTHS``.

    Each operand has 1, 2 or 3 random digits, equally likely (leading zeros drop), and a draw
    whose unordered pair ``{a, b}`` came before is dropped: no problem repeats, nor its commuted
    form, so no test question is also a training question. This is how the book's
    ``addition.txt`` was made (Keras's ``addition_rnn`` generator; its first lines hold about 50
    of the 55 one-digit pairs, and no pair twice). The dropped repeats thin out the small
    operands as the file goes on: of the default 50,000 problems' operands about 10 % have one
    digit, 33 % two and 57 % three (30 / 35 / 35 % in the first thousand lines, 2 / 30 / 68 % in
    the last). At most ``MAX_ADDITION_SIZE`` problems.
    """
    size = _size(size)
    if size > MAX_ADDITION_SIZE:
        raise ValueError(
            f"size must be at most {MAX_ADDITION_SIZE:,} (distinct pairs of operands below 1000 run out), got {size:,}"
        )
    rng = np.random.default_rng(data_seed)
    seen: set = set()
    pairs: list = []
    while len(pairs) < size:
        digits = rng.integers(1, 4, size=(4096, 2))
        for a, b in rng.integers(0, 10**digits).tolist():  # k random digits = uniform below 10**k
            key = (a, b) if a <= b else (b, a)
            if key not in seen:
                seen.add(key)
                pairs.append((a, b))
    return [f"{a}+{b}".ljust(ADDITION_WIDTHS[0]) + f"{START}{a + b}".ljust(ADDITION_WIDTHS[1]) for a, b in pairs[:size]]


def _date_question(date: datetime.date, form: str, case: int) -> str:
    month, weekday = MONTHS[date.month - 1], WEEKDAYS[date.weekday()]
    if form == "numeric":
        return f"{date.month}/{date.day}/{date.year % 100:02d}"
    if form == "long":
        text = f"{month} {date.day}, {date.year}"
    elif form == "short":
        text = f"{month[:3]} {date.day}, {date.year}"
    else:
        text = f"{weekday}, {month} {date.day}, {date.year}"
    return (text, text.title(), text.upper())[case]


def date_lines(size: int = SIZE, *, data_seed: int = 0) -> list:
    """``size`` dates in a varied format -> ISO ``"_YYYY-MM-DD"``, padded to ``DATE_WIDTHS``.

    Days uniform from 1970-01-01 to 2017-12-31 (may repeat); the formats (``DATE_FORMATS``)
    equally likely, as in the book's file: ``long`` ``september 27, 1994``, ``short``
    ``Sep 27, 1994``, ``numeric`` ``9/27/94`` (month/day/two-digit year: 70-99 is 19xx, 00-17 is
    20xx), ``weekday`` ``Tuesday, September 27, 1994``; the words in lower case, title case
    or upper case, equally likely. English names, whatever the locale.
    """
    size = _size(size)
    rng = np.random.default_rng(data_seed)
    first, last = DATE_RANGE
    offsets = rng.integers(0, (last - first).days + 1, size=size)
    forms = rng.integers(0, len(DATE_FORMATS), size=size)
    cases = rng.integers(0, 3, size=size)
    lines = []
    for offset, form, case in zip(offsets.tolist(), forms.tolist(), cases.tolist()):
        date = first + datetime.timedelta(days=offset)
        question = _date_question(date, DATE_FORMATS[form], case)
        lines.append(question.ljust(DATE_WIDTHS[0]) + f"{START}{date.isoformat()}")
    return lines


def split_lines(lines: Sequence[str]) -> tuple:
    """``(questions, answers)`` of lines in the book's format; ``ValueError`` naming the first bad line.

    The answer starts at the first ``_``; all questions must have one width and all answers
    another (the padding).
    """
    if not lines:
        raise ValueError("no problems: the data holds no lines")
    questions, answers = [], []
    for number, line in enumerate(lines, start=1):
        at = line.find(START)
        if at < 1:
            raise ValueError(
                f"line {number} ({line!r}) has no question before {START!r}: each line is a question, "
                f"then the answer starting with {START!r}"
            )
        questions.append(line[:at])
        answers.append(line[at:])
        for what, texts in (("question", questions), ("answer", answers)):
            if len(texts[-1]) != len(texts[0]):
                raise ValueError(
                    f"line {number}: its {what} has {len(texts[-1])} characters, line 1's has "
                    f"{len(texts[0])}: questions and answers are space-padded to fixed widths"
                )
    return questions, answers


def encode_lines(lines: Sequence[str]) -> tuple[np.ndarray, np.ndarray, Vocabulary]:
    """``(x, t, vocab)``: the questions and answers of ``lines`` as ids of a new ``Vocabulary``."""
    questions, answers = split_lines(lines)
    width = len(questions[0])
    # one code point per character, all lines at once: (N, question width + answer width)
    codes = np.frombuffer("".join(q + a for q, a in zip(questions, answers)).encode("utf-32-le"), dtype=np.uint32)
    chars, first = np.unique(codes, return_index=True)
    order = np.argsort(first)  # first appearance: question, then answer, line by line
    vocab = Vocabulary(chr(c) for c in chars[order].tolist())
    ids = np.empty(len(chars), dtype=np.int64)
    ids[order] = np.arange(len(chars))
    encoded = ids[np.searchsorted(chars, codes)].reshape(len(questions), -1)
    return encoded[:, :width].copy(), encoded[:, width:].copy(), vocab


def _split(x, t, vocab, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    x, t = x[order], t[order]
    split_at = len(x) - len(x) // 10  # the book's: the last tenth, rounded down, is the test set
    return (x[:split_at], t[:split_at]), (x[split_at:], t[split_at:]), vocab


def load_addition(*, size: int = SIZE, seed: int = 1984, data_seed: int = 0):
    """``(x_train, t_train), (x_test, t_test), vocab`` of ``addition_lines(size, data_seed=...)``.

    ``seed`` (default 1984, the book's) fixes the shuffle and so the 90/10 split. The 50,000
    default problems give ``(45000, 7)``, ``(45000, 5)``, ``(5000, 7)``, ``(5000, 5)`` and 13
    characters.
    """
    return _split(*encode_lines(addition_lines(size, data_seed=data_seed)), seed)


def load_dates(*, size: int = SIZE, seed: int = 1984, data_seed: int = 0):
    """``(x_train, t_train), (x_test, t_test), vocab`` of ``date_lines(size, data_seed=...)``: ``(45000, 29)``,
    ``(45000, 11)``, ``(5000, 29)``, ``(5000, 11)`` by default."""
    return _split(*encode_lines(date_lines(size, data_seed=data_seed)), seed)


def load_sequence_file(path, *, seed: int = 1984):
    """``(x_train, t_train), (x_test, t_test), vocab`` of a file in the book's format (``addition.txt``).

    Lines end with ``\\n`` or ``\\r\\n``; only the line break is removed (the padding stays; the
    book's loader also cuts the last character of a final line without a line break).
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}: give the path of a file such as the book's dataset/addition.txt")
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    try:
        return _split(*encode_lines(lines), seed)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def write_sequence_file(path, lines: Iterable[str]) -> None:
    """Write ``lines`` (e.g. ``addition_lines()``) to ``path``, one per line, ``\\n``-terminated."""
    pathlib.Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def reverse_questions(x) -> np.ndarray:
    """``x[:, ::-1]`` as a new array: each question read backwards, its padding now in front.

    Reversing the input shortens the path from the first characters of the question to the
    first of the answer; the book's seq2seq gains 12 % -> 54 % exact matches on addition.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"x must have shape (N, T) (questions of character ids), got {tuple(x.shape)}")
    return x[:, ::-1].copy()


def padding_mask(x, vocab: Vocabulary, *, reversed_questions: bool = False) -> np.ndarray:
    """Boolean ``(N, T)``: ``False`` on the spaces that pad each question, ``True`` elsewhere.

    The padding is the run of spaces at the end of a question (at its start with
    ``reversed_questions=True``, after ``reverse_questions``); spaces inside a question
    (``september 27, 1994``) are characters and stay ``True``. This is the ``mask`` the
    attention layers take; every question of the book's data has a character, so every row
    keeps a ``True``.
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.dtype.kind not in "iu":
        raise ValueError(
            f"x must be an integer array of shape (N, T) (questions of character ids), "
            f"got {x.dtype} of shape {tuple(x.shape)}"
        )
    if " " not in vocab:
        return np.ones(x.shape, dtype=bool)
    space = x == vocab.encode(" ")[0]
    if reversed_questions:
        return ~np.logical_and.accumulate(space, axis=1)
    return ~np.logical_and.accumulate(space[:, ::-1], axis=1)[:, ::-1]
