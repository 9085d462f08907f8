"""Training loop and checkpoints: learning, determinism, divergence, atomic saves."""

import os

import numpy as np
import pytest

from manual_bp.data.classification import load_spiral
from manual_bp.networks.two_layer import TwoLayerNet
from manual_bp.optimizers import SGD, Adam
from manual_bp.training.checkpoint import assign_params, check_save_path, load_params, save_params
from manual_bp.training.trainer import Trainer, TrainingDiverged


def _fit(seed=0, epochs=40, lr=0.01):
    (x, t), (xt, tt) = load_spiral()
    net = TwoLayerNet(2, 30, 3, weight_init_std=1.0, seed=seed)
    return net, Trainer(net, Adam(lr), x, t, xt, tt, epochs=epochs, batch_size=30, seed=seed).fit()


def test_training_reduces_the_loss_and_records_history():
    _, history = _fit()
    assert len(history.train_loss) == len(history.test_acc) == 40
    assert len(history.step_loss) == 40 * 10
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.train_acc[-1] > history.train_acc[0]


def test_same_seed_gives_identical_runs():
    net_a, history_a = _fit(seed=3, epochs=5)
    net_b, history_b = _fit(seed=3, epochs=5)
    assert history_a == history_b
    for name in net_a.params:
        np.testing.assert_array_equal(net_a.params[name], net_b.params[name])


def test_shuffling_visits_every_sample_once_per_epoch():
    seen = []

    class Recorder(TwoLayerNet):
        def gradient(self, x, t):
            seen.extend(x[:, 0].tolist())
            return super().gradient(x, t)

    x = np.arange(10.0)[:, None] * np.ones((1, 2))
    Trainer(Recorder(2, 3, 2, seed=0), SGD(), x, np.zeros(10, int), epochs=2, batch_size=4).fit()
    assert sorted(seen[:10]) == sorted(seen[10:]) == list(np.arange(10.0))
    assert seen[:10] != seen[10:]


def test_divergence_stops_with_a_clear_message():
    (x, t), _ = load_spiral()
    net = TwoLayerNet(2, 30, 3, weight_init_std=1.0, seed=0)
    with pytest.raises(
        TrainingDiverged,
        match=r"the (training loss|input of a layer) became (nan|inf|non-finite \(x must be finite, got .*\)) "
        r"at epoch \d+, step \d+: "
        r"lower the learning rate \(now 1e\+300\)",
    ):
        Trainer(net, SGD(1e300), x, t, epochs=5).fit()


def test_data_and_labels_must_have_the_same_length():
    with pytest.raises(ValueError, match=r"t_train must have one label per sample of x_train \(4\), got 3"):
        Trainer(TwoLayerNet(2, 3, 2, seed=0), SGD(), np.zeros((4, 2)), np.zeros(3, int))


def test_saved_parameters_load_back_into_a_network(tmp_path):
    net, _ = _fit(epochs=2)
    path = save_params(tmp_path / "net.npz", net.params)
    fresh = TwoLayerNet(2, 30, 3, seed=99)
    assign_params(fresh.params, load_params(path))
    (x, t), _ = load_spiral()
    assert fresh.accuracy(x, t) == net.accuracy(x, t)
    assert fresh.layers["Affine1"].W is fresh.params["W1"]  # loaded in place: the layers see it


def test_a_crash_mid_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "net.npz"
    save_params(path, {"W": np.ones(3)})
    before = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        save_params(path, {"W": np.zeros(3)})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.npz"]


def test_loading_names_missing_and_corrupt_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="parameter file .*none.npz does not exist"):
        load_params(tmp_path / "none.npz")
    (tmp_path / "bad.npz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="bad.npz is not a readable .npz parameter file"):
        load_params(tmp_path / "bad.npz")


def test_assigning_parameters_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"loaded 'W' has shape \(2,\), the network's has \(3,\)"):
        assign_params({"W": np.zeros(3)}, {"W": np.zeros(2)})


def test_step_loss_includes_weight_decay():
    from manual_bp.networks.deep import MultiLayerNet

    (x, t), _ = load_spiral()
    net = MultiLayerNet(2, [8], 3, weight_decay_lambda=0.5, seed=0)
    expected = float(net.loss(x[:30], t[:30], train_flg=True))  # before the step changes the weights
    history = Trainer(net, SGD(1e-3), x[:30], t[:30], epochs=1, batch_size=30).fit()
    assert history.step_loss[0] == pytest.approx(expected, rel=1e-12)
    assert net.regularization() > 0


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_permissions_np_savez_gives_under_the_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        save_params(tmp_path / "ours.npz", {"W": np.ones(3)})
        np.savez(tmp_path / "numpys.npz", W=np.ones(3))
    finally:
        os.umask(previous)
    ours, numpys = ((tmp_path / name).stat().st_mode & 0o777 for name in ("ours.npz", "numpys.npz"))
    assert ours == numpys == 0o666 & ~umask


def test_overwriting_a_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "net.npz"
    save_params(path, {"W": np.ones(3)})
    path.chmod(0o640)
    save_params(path, {"W": np.zeros(3)})
    assert path.stat().st_mode & 0o777 == 0o640
    np.testing.assert_array_equal(load_params(path)["W"], np.zeros(3))


def test_a_path_under_a_file_or_onto_a_directory_is_refused_before_writing(tmp_path):
    (tmp_path / "taken").write_text("not a directory")
    with pytest.raises(ValueError, match=r"cannot write .*taken/sub/net.npz: .*taken is a file, not a directory"):
        check_save_path(tmp_path / "taken" / "sub" / "net.npz")
    with pytest.raises(ValueError, match=r"cannot write .*: it is a directory"):
        save_params(tmp_path, {"W": np.ones(3)})
    assert check_save_path(tmp_path / "new" / "dirs" / "net.npz") == tmp_path / "new" / "dirs" / "net.npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # nothing created by the checks


def test_evaluation_in_batches_equals_the_whole_set_loss_and_accuracy():
    from manual_bp.networks.deep import MultiLayerNet

    (x, t), (x_test, t_test) = load_spiral()
    net = MultiLayerNet(2, [16, 16], 3, weight_decay_lambda=0.01, seed=0)
    trainer = Trainer(net, Adam(lr=0.01), x, t, x_test, t_test, epochs=3, batch_size=32, seed=0)
    history = trainer.fit()
    loss, accuracy = trainer.evaluate(x_test, t_test)  # 300 samples, 32 at a time: the last batch has 12
    assert loss == pytest.approx(float(net.loss(x_test, t_test)), rel=1e-12)  # weight decay counted once
    assert accuracy == net.accuracy(x_test, t_test) == history.test_acc[-1]
    assert np.isnan(trainer.evaluate(x, t, loss=False)[0])
