"""`manual-bp train`: every bad command line is one line naming the option or file, exit status 2,
before any work; every family (the third book's too) stops a diverging run with status 1; Ctrl-C
exits with 130."""

import os
import pathlib
import signal
import subprocess
import sys

import numpy as np
import pytest

from oracle.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
CORPUS_OPTIONS = ["--hidden", "8", "--batch-size", "4", "--epochs", "1"]
TINY_SEQ2SEQ = ["--size", "300", "--epochs", "1", "--hidden", "8", "--wordvec", "4", "--batch-size", "64"]


@pytest.fixture
def corpus(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array("the cat dog sat on a mat and ran".split())
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(rng.choice(words, size=6)) for _ in range(60)) + "\n")
    return path


def _run(argv, capsys):
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err.strip()


@pytest.fixture
def no_work(monkeypatch):
    """Make any family's work fail the test: the gate must answer first."""
    import oracle.cli.train

    def started(*args, **kwargs):
        raise AssertionError("work started although the command line is bad")

    monkeypatch.setattr(oracle.cli.train, "_runner", lambda family: started)


# (arguments, what the one line must say)
NOT_APPLICABLE = [
    (
        ["--corpus", "c.txt"],
        "--corpus does not apply to --network two-layer; it is read by cbow, rnnlm or better-rnnlm",
    ),
    (["--network", "seq2seq", "--corpus", "c.txt"], "--corpus does not apply to --network seq2seq"),
    (["--network", "rnnlm", "--corpus", "c.txt", "--task", "dates"], "--task does not apply to --network rnnlm"),
    (["--dropout", "0.2"], "--dropout does not apply to --network two-layer; it is read by multi-layer"),
    (["--batchnorm"], "--batchnorm does not apply to --network two-layer"),
    (["--max-grad", "1"], "--max-grad does not apply to --network two-layer"),
    (["--wordvec", "8"], "--wordvec does not apply to --network two-layer"),
    (["--network", "cbow", "--corpus", "c.txt", "--batchnorm"], "--batchnorm does not apply to --network cbow"),
    (["--network", "cbow", "--corpus", "c.txt", "--weight-decay", "0.1"], "--weight-decay does not apply"),
    (["--network", "cbow", "--corpus", "c.txt", "--time-size", "5"], "--time-size does not apply to --network cbow"),
    (["--network", "rnnlm", "--corpus", "c.txt", "--dataset", "digits"], "--dataset does not apply to --network rnnlm"),
    (["--network", "rnnlm", "--corpus", "c.txt", "--hidden-layers", "3"], "--hidden-layers does not apply"),
    (["--network", "rnnlm", "--corpus", "c.txt", "--window", "3"], "--window does not apply to --network rnnlm"),
    (["--network", "peeky", "--plot-attention", "a.png"], "--plot-attention does not apply to --network peeky"),
    (["--network", "attention", "--weight-init-std", "0.1"], "--weight-init-std does not apply"),
    (
        ["--network", "dezero-rnn", "--lr", "0.1"],
        "--lr does not apply to --network dezero-rnn; it is read by every network except dezero-mnist, dezero-rnn "
        "and dezero-lstm",
    ),
    (["--network", "dezero-lstm", "--batch-size", "5"], "--batch-size does not apply to --network dezero-lstm"),
    (["--network", "dezero-spiral", "--optimizer", "adam"], "--optimizer does not apply to --network dezero-spiral"),
    (["--network", "dezero-mnist", "--dtype", "float32"], "--dtype does not apply to --network dezero-mnist"),
    (["--network", "dezero-spiral", "--batchnorm"], "--batchnorm does not apply to --network dezero-spiral"),
    (["--network", "dezero-rnn", "--corpus", "c.txt"], "--corpus does not apply to --network dezero-rnn"),
    (
        ["--network", "dezero-lstm", "--data-dir", "."],
        "--data-dir does not apply to --network dezero-lstm; it is read by two-layer, multi-layer, simple-conv "
        "or dezero-mnist",
    ),
]
BAD_VALUES = [
    (["--seed", "-3"], "manual-bp train: argument --seed: must be at least 0, got -3"),
    (["--network", "seq2seq", "--size", "5"], "argument --size: must be at least 10 (a tenth is held out"),
    (["--network", "seq2seq", "--size", "300000"], "--size must be at most 200000 for --task addition"),
    (["--network", "multi-layer", "--dropout", "1.5"], "argument --dropout: must lie in [0, 1), got 1.5"),
    (["--network", "multi-layer", "--weight-decay", "-1"], "argument --weight-decay: must be at least 0"),
    (["--lr", "nan"], "argument --lr: must be a finite number, got nan"),
    (["--epochs", "0"], "argument --epochs: must be at least 1, got 0"),
    (["--threads", "0"], "argument --threads: must be at least 1, got 0"),
    (["--network", "simple-conv", "--dataset", "spiral"], "--network simple-conv needs images"),
    (["--dataset", "mnist"], "--dataset mnist needs --data-dir DIR"),
    (["--data-dir", "."], "--data-dir applies to --dataset mnist only"),
    (["--network", "rnnlm"], "--network rnnlm needs --corpus FILE"),
    (["--network", "nope"], "argument --network: invalid choice: 'nope'"),
    (["--network", "dezero-mnist", "--optimizer", "rmsprop"], "--network dezero-mnist trains with --optimizer sgd"),
]


@pytest.mark.parametrize(("args", "message"), NOT_APPLICABLE + BAD_VALUES, ids=lambda v: " ".join(v)[:60])
def test_a_bad_command_line_is_one_line_naming_the_option_exit_2_before_any_work(args, message, no_work, capsys):
    status, err = _run(["train", *args], capsys)
    assert status == 2
    assert message in err and "\n" not in err and "Traceback" not in err


FAMILIES = [[], ["--network", "rnnlm", "--corpus", "CORPUS"], ["--network", "attention"], ["--network", "dezero-mnist"]]
FAMILY_NAMES = ["first book", "text", "seq2seq", "third book"]


def _outputs(tmp_path):
    (tmp_path / "taken").write_text("a file")
    return [
        (tmp_path, "it is a directory; give a file name"),
        (tmp_path / "taken" / "out.png", "is a file, not a directory"),
        (pathlib.Path("/proc/out.png"), "cannot create a file in /proc"),
        (pathlib.Path("/proc/missing/dir/out.png"), "cannot create a file in /proc"),
    ]


OUTPUT_CASES = [
    pytest.param(family, option, id=f"{name} {option}")
    for family, name in zip(FAMILIES, FAMILY_NAMES)
    for option in ["--save", "--plot", "--plot-attention"]
    if option != "--plot-attention" or "attention" in family  # only the attention model draws attention maps
]


@pytest.mark.parametrize(("family", "option"), OUTPUT_CASES)
def test_every_output_of_every_family_is_checked_before_any_work(family, option, tmp_path, corpus, no_work, capsys):
    family = [str(corpus) if a == "CORPUS" else a for a in family]
    for path, message in _outputs(tmp_path):
        status, err = _run(["train", *family, option, str(path)], capsys)
        assert status == 2 and err.startswith(f"manual-bp train: {option} {path}") and message in err, err
        assert "\n" not in err


def test_two_outputs_naming_one_file_are_refused(tmp_path, no_work, capsys):
    path = str(tmp_path / "same")
    status, err = _run(["train", "--save", path, "--plot", path], capsys)
    assert status == 2 and "--save and --plot name the same file" in err


@pytest.mark.parametrize("family", FAMILIES, ids=FAMILY_NAMES)
def test_a_plot_without_matplotlib_is_refused_before_any_work(family, tmp_path, corpus, no_work, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if "matplotlib" in name else real(name, *a))
    family = [str(corpus) if a == "CORPUS" else a for a in family]
    status, err = _run(["train", *family, "--plot", str(tmp_path / "p.png")], capsys)
    assert status == 2 and err == "manual-bp train: --plot needs matplotlib, which is not installed; run: " + (
        "pip install 'manual-bp[plot]'"
    )


def test_missing_output_directories_are_created(tmp_path, capsys):
    params = tmp_path / "a" / "b" / "net.npz"
    assert main(["train", "--dataset", "spiral", "--hidden", "5", "--epochs", "1", "--save", str(params)]) == 0
    assert params.is_file()
    from oracle.cli.outputs import prepare_output  # what every plot is written through

    assert prepare_output(tmp_path / "c" / "d" / "curves.png").parent.is_dir()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02 binary \x00", "a binary file (it holds NUL bytes), not text"),
        ("caf\u00e9 au lait\n".encode("latin-1"), "not UTF-8 text (byte 3 cannot be decoded)"),
        (b"one two\n", "too little text"),
    ],
    ids=["empty", "binary", "latin-1", "tiny"],
)
def test_a_corpus_that_is_not_usable_text_is_named_in_one_line(content, message, tmp_path, capsys):
    path = tmp_path / "corpus.txt"
    path.write_bytes(content)
    status, err = _run(["train", "--network", "cbow", "--corpus", str(path)], capsys)
    assert status == 2 and err.startswith(f"manual-bp train: --corpus {path}: ") and message in err


def test_a_missing_corpus_is_named(tmp_path, capsys):
    status, err = _run(["train", "--network", "rnnlm", "--corpus", str(tmp_path / "nope.txt")], capsys)
    assert status == 2 and err == f"manual-bp train: --corpus {tmp_path / 'nope.txt'}: no such file"


@pytest.mark.parametrize(
    "args",
    [
        ["--optimizer", "sgd", "--lr", "1e300", "--epochs", "3"],
        ["--network", "rnnlm", "--corpus", "CORPUS", "--time-size", "5", "--lr", "1e30", *CORPUS_OPTIONS],
        ["--network", "cbow", "--corpus", "CORPUS", "--lr", "1e30", *CORPUS_OPTIONS],
        ["--network", "peeky", "--optimizer", "sgd", "--lr", "1e38", *TINY_SEQ2SEQ],
        ["--network", "dezero-spiral", "--lr", "1e30", "--hidden", "5", "--epochs", "2"],
    ],
    ids=["first book", "rnnlm", "cbow", "seq2seq", "third book"],
)
def test_divergence_stops_every_family_with_exit_status_1_and_advice(args, corpus, capsys):
    args = [str(corpus) if a == "CORPUS" else a for a in args]
    status, err = _run(["train", *args], capsys)
    [line] = [line for line in err.splitlines() if not line.startswith("epoch ")]
    assert status == 1 and line.startswith("manual-bp train: stopped: the ") and "lower the learning rate" in line


def test_the_version_is_printed(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out.startswith("manual-bp ")


def _first_book_params(path):
    from manual_bp.training.checkpoint import load_params

    return set(load_params(path))


def _third_book_params(path):
    from manual_bp.dezero.models import MLP

    model = MLP((5, 3))
    model.load_weights(path)  # the names and shapes of the model's own parameters
    return {name for name, param in model.named_params().items() if param.data is not None}


@pytest.mark.parametrize(
    ("family", "load", "names"),
    [
        (["--dataset", "spiral"], _first_book_params, {"W1", "b1", "W2", "b2"}),
        (["--network", "dezero-spiral"], _third_book_params, {"l0/W", "l0/b", "l1/W", "l1/b"}),
    ],
    ids=["first book", "third book"],
)
def test_ctrl_c_exits_130_in_one_line_and_saves_the_last_finished_epoch(family, load, names, tmp_path):
    params = tmp_path / "net.npz"
    command = [sys.executable, "-m", "oracle.cli", "train", *family, "--hidden", "5"]
    command += ["--epochs", "100000", "--save", str(params)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env) as process:
        assert process.stderr is not None
        first = process.stderr.readline()  # an epoch has finished: training is under way
        assert first.startswith("epoch 1/100000"), first
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
    lines = [line for line in err.splitlines() if not line.startswith("epoch ")]
    assert process.returncode == 130
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("manual-bp train: interrupted in epoch ") and f"were saved to {params}" in lines[0]
    assert load(params) == names
