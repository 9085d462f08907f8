"""The sequel's toy tasks: the book's text format, right answers, a fixed split per seed, one
vocabulary per data set, a user's file, no global random state."""

import datetime
import re

import numpy as np
import pytest

from manual_bp.data import (
    Vocabulary,
    addition_lines,
    date_lines,
    load_addition,
    load_dates,
    load_sequence_file,
    padding_mask,
    reverse_questions,
    write_sequence_file,
)
from manual_bp.data.sequence import ADDITION_WIDTHS, DATE_WIDTHS, MAX_ADDITION_SIZE, split_lines

# The first lines of the book's dataset/addition.txt, as its loader sees them.
BOOK_ADDITION = "16+75  _91  \n52+607 _659 \n75+22  _97  \n63+22  _85  \n795+3  _798 \n706+796_1502\n8+4    _12  \n"
BOOK_DATES = (
    "september 27, 1994           _1994-09-27\n2/10/93                      _1993-02-10\n"
    "TUESDAY, SEPTEMBER 25, 1984  _1984-09-25\nJUN 17, 2013                 _2013-06-17\n"
)
DATE_PATTERNS = {  # the first that matches ("may 9, 1973" is long and short at once)
    "short": re.compile(r"^[a-z]{3} \d{1,2}, \d{4}$", re.IGNORECASE),
    "long": re.compile(r"^[a-z]+ \d{1,2}, \d{4}$", re.IGNORECASE),
    "numeric": re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$"),
    "weekday": re.compile(r"^[a-z]+, [a-z]+ \d{1,2}, \d{4}$", re.IGNORECASE),
}
STRPTIME = {"long": "%B %d, %Y", "short": "%b %d, %Y", "numeric": "%m/%d/%y", "weekday": "%A, %B %d, %Y"}


def test_addition_lines_have_the_books_widths_and_right_sums():
    lines = addition_lines(2000, data_seed=3)
    questions, answers = split_lines(lines)
    assert {len(q) for q in questions} == {ADDITION_WIDTHS[0]} and {len(a) for a in answers} == {ADDITION_WIDTHS[1]}
    for question, answer in zip(questions, answers):
        a, b = question.rstrip().split("+")
        assert 0 <= int(a) <= 999 and 0 <= int(b) <= 999
        assert str(int(a)) == a and str(int(b)) == b  # no leading zeros
        assert answer == f"_{int(a) + int(b)}".ljust(5)


def test_no_addition_problem_repeats_even_commuted_so_no_test_question_is_a_training_question():
    questions, _ = split_lines(addition_lines(20000, data_seed=0))
    pairs = [tuple(sorted(int(side) for side in q.rstrip().split("+"))) for q in questions]
    assert len(set(pairs)) == len(pairs)
    (x, _), (x_test, _), _ = load_addition(size=5000, seed=3)
    assert not {row.tobytes() for row in x} & {row.tobytes() for row in x_test}


def test_addition_operands_have_one_to_three_random_digits_until_their_pairs_run_out():
    questions, _ = split_lines(addition_lines(1000, data_seed=0))
    lengths = np.array([len(side) for q in questions for side in q.rstrip().split("+")])
    # early on few draws repeat: 1, 2 or 3 digits almost as drawn (0.37, 0.33, 0.30)
    np.testing.assert_allclose([np.mean(lengths == k) for k in (1, 2, 3)], [0.30, 0.35, 0.35], atol=0.04)
    questions, _ = split_lines(addition_lines(20000, data_seed=0))
    one_digit_pairs = [q for q in questions if max(len(side) for side in q.rstrip().split("+")) == 1]
    assert len(one_digit_pairs) == 55  # all {a, b} with a, b < 10, each once, as in the book's file


def test_addition_size_is_bounded_by_the_distinct_pairs():
    with pytest.raises(ValueError, match="at most 200,000"):
        addition_lines(MAX_ADDITION_SIZE + 1)


def test_date_answers_are_the_questions_in_iso_format_in_every_format_and_case():
    lines = date_lines(3000, data_seed=5)
    questions, answers = split_lines(lines)
    assert {len(q) for q in questions} == {DATE_WIDTHS[0]} and {len(a) for a in answers} == {DATE_WIDTHS[1]}
    seen = set()
    for question, answer in zip(questions, answers):
        text = question.rstrip()
        form = next(name for name, pattern in DATE_PATTERNS.items() if pattern.match(text))
        date = datetime.datetime.strptime(text.title(), STRPTIME[form]).date()
        assert answer == "_" + date.isoformat()
        assert datetime.date(1970, 1, 1) <= date <= datetime.date(2017, 12, 31)
        if form == "weekday":
            assert text.split(",")[0].lower() == date.strftime("%A").lower()
        case = (
            "numeric" if form == "numeric" else ("lower" if text.islower() else "upper" if text.isupper() else "title")
        )
        seen.add((form, case))
    assert seen == {(f, c) for f in ("long", "short", "weekday") for c in ("lower", "upper", "title")} | {
        ("numeric", "numeric")
    }


def test_generation_is_deterministic_per_data_seed():
    assert addition_lines(300, data_seed=1) == addition_lines(300, data_seed=1)
    assert addition_lines(300, data_seed=1) != addition_lines(300, data_seed=2)
    assert date_lines(300, data_seed=1) == date_lines(300, data_seed=1)
    assert date_lines(300, data_seed=1) != date_lines(300, data_seed=2)


def test_the_default_data_sets_have_the_books_shapes_and_vocabulary_sizes():
    (x, t), (x_test, t_test), vocab = load_addition()
    assert (x.shape, t.shape, x_test.shape, t_test.shape) == ((45000, 7), (45000, 5), (5000, 7), (5000, 5))
    assert x.dtype == t.dtype == np.int64
    assert sorted(vocab.chars) == sorted("0123456789+ _")
    (x, t), (x_test, t_test), dates = load_dates()
    assert (x.shape, t.shape, x_test.shape, t_test.shape) == ((45000, 29), (45000, 11), (5000, 29), (5000, 11))
    assert len(dates) == 59  # as the book's date.txt
    assert "+" not in dates and "+" in vocab  # one vocabulary per data set, nothing shared


def test_the_split_is_fixed_per_seed_and_partitions_the_problems():
    lines = addition_lines(1000, data_seed=0)
    (x, t), (x_test, t_test), vocab = load_addition(size=1000, seed=7)
    (x2, _), (x2_test, _), _ = load_addition(size=1000, seed=7)
    (x3, _), _, _ = load_addition(size=1000, seed=8)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(x_test, x2_test)
    assert not np.array_equal(x, x3)
    assert len(x) == 900 and len(x_test) == 100
    rows = sorted(vocab.decode(q) + vocab.decode(a) for q, a in zip(np.vstack([x, x_test]), np.vstack([t, t_test])))
    assert rows == sorted(lines)


def test_a_book_file_loads_with_the_books_ids(tmp_path):
    path = tmp_path / "addition.txt"
    path.write_text(BOOK_ADDITION)
    (x, t), (x_test, t_test), vocab = load_sequence_file(path, seed=0)
    # the book's ids: first appearance, question then answer, line by line
    assert vocab.char_to_id == {
        "1": 0,
        "6": 1,
        "+": 2,
        "7": 3,
        "5": 4,
        " ": 5,
        "_": 6,
        "9": 7,
        "2": 8,
        "0": 9,
        "3": 10,
        "8": 11,
        "4": 12,
    }
    assert len(x) == 7 - 7 // 10 and x.shape[1] == 7 and t.shape[1] == 5
    texts = {vocab.decode(q) + vocab.decode(a) for q, a in zip(np.vstack([x, x_test]), np.vstack([t, t_test]))}
    assert texts == set(BOOK_ADDITION.splitlines())


def test_a_file_with_crlf_and_no_final_line_break_keeps_every_character(tmp_path):
    path = tmp_path / "date.txt"
    path.write_bytes(BOOK_DATES.replace("\n", "\r\n").rstrip("\r\n").encode())
    (_, t), (_, t_test), vocab = load_sequence_file(path)
    answers = {vocab.decode(a) for a in np.vstack([t, t_test])}
    assert answers == {"_1994-09-27", "_1993-02-10", "_1984-09-25", "_2013-06-17"}  # the last one is whole
    assert "\r" not in vocab


def test_written_lines_load_back_as_generated(tmp_path):
    path = tmp_path / "dates.txt"
    write_sequence_file(path, date_lines(500, data_seed=4))
    from_file = load_sequence_file(path, seed=3)
    generated = load_dates(size=500, seed=3, data_seed=4)
    for got, want in zip(from_file[:2], generated[:2]):
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)
    assert from_file[2] == generated[2]


def test_loading_never_touches_the_global_random_state():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    load_addition(size=200)
    load_dates(size=200)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_reverse_questions_reads_each_row_backwards_into_a_new_array():
    x = np.arange(6).reshape(2, 3)
    x.flags.writeable = False
    reversed_x = reverse_questions(x)
    np.testing.assert_array_equal(reversed_x, [[2, 1, 0], [5, 4, 3]])
    assert reversed_x.flags.writeable and reversed_x.flags.c_contiguous
    with pytest.raises(ValueError, match=r"x must have shape \(N, T\)"):
        reverse_questions(np.arange(3))


def test_vocabulary_encodes_and_decodes_and_names_unknown_characters():
    vocab = Vocabulary.from_texts(["ab", "ba c"])
    assert vocab.chars == ("a", "b", " ", "c") and len(vocab) == 4
    np.testing.assert_array_equal(vocab.encode("cab "), [3, 0, 1, 2])
    assert vocab.decode(vocab.encode("cab ")) == "cab "
    assert vocab.id_to_char == {0: "a", 1: "b", 2: " ", 3: "c"}
    with pytest.raises(ValueError, match="'z' is not in the vocabulary 'ab c'"):
        vocab.encode("az")
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 4\)"):
        vocab.decode(np.array([0, 4]))
    with pytest.raises(TypeError, match="ids must be a 1-D integer array"):
        vocab.decode(np.array([0.0]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("16+75  _91  \n52+607 591 \n", r"line 2 \('52\+607 591 '\) has no question before '_'"),
        ("16+75  _91  \n52+607_659 \n", r"line 2: its question has 6 characters, line 1's has 7"),
        ("16+75  _91  \n52+607 _659\n", r"line 2: its answer has 4 characters, line 1's has 5"),
        ("", r"no problems"),
    ],
)
def test_a_malformed_file_is_rejected_naming_the_line(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=f"bad.txt: {message}"):
        load_sequence_file(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file .*addition.txt"):
        load_sequence_file(tmp_path / "addition.txt")


def test_sizes_are_checked():
    with pytest.raises(ValueError, match="size must be at least 1"):
        addition_lines(0)
    with pytest.raises(TypeError, match="size must be an int"):
        date_lines(10.0)


def test_padding_mask_masks_the_padding_but_not_the_spaces_inside_a_question():
    vocab = Vocabulary.from_texts(["may 9, 1973  ", "_1973-05-09"])
    x = np.stack([vocab.encode("may 9, 1973  "), vocab.encode("9, 1973      ")])
    expected = np.array([[True] * 11 + [False] * 2, [True] * 7 + [False] * 6])
    np.testing.assert_array_equal(padding_mask(x, vocab), expected)
    np.testing.assert_array_equal(padding_mask(reverse_questions(x), vocab, reversed_questions=True), expected[:, ::-1])
    (x_train, _), _, addition = load_addition(size=200)
    mask = padding_mask(x_train, addition)
    assert mask.all(axis=1).any() and not mask.all()  # 7-character questions have no padding, others do
    assert [addition.decode(q[m]) for q, m in zip(x_train, mask)] == [addition.decode(q).rstrip() for q in x_train]


def test_padding_mask_needs_integer_questions():
    with pytest.raises(ValueError, match=r"x must be an integer array of shape \(N, T\)"):
        padding_mask(np.zeros(3, dtype=np.int64), Vocabulary(" a"))
