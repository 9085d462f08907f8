"""`row(...)` for users' own layers: drawn configurations, declared error inputs, initial state,
a clear message for an oracle with its arguments in another order, and the tie rule of max."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import find

import manual_bp
from oracle import ErrorInput, buckets, max_first, row
from oracle.layers.activations import leaky_relu
from oracle.layers.affine import affine
from oracle.layers.time_layers import time_rnn
from oracle.verify.entry import check_error_inputs
from oracle.verify.runner import run_entry


class Maxout:
    """``y[n, j] = max_k x[n, j * pieces + k]``; backward gives a tie's gradient to the first maximum."""

    def __init__(self, *, pieces=2):
        self.pieces, self.index, self.shape = pieces, None, None

    def forward(self, x):
        n, width = x.shape
        groups = x.reshape(n, width // self.pieces, self.pieces)
        self.shape, self.index = x.shape, np.argmax(groups, axis=-1)
        return np.take_along_axis(groups, self.index[..., None], axis=-1)[..., 0]

    def backward(self, dout):
        n, width = self.shape
        dx = np.zeros((n, width // self.pieces, self.pieces), dtype=dout.dtype)
        np.put_along_axis(dx, self.index[..., None], dout[..., None], axis=-1)
        return dx.reshape(self.shape)


def maxout(x, *, pieces=2):
    n, width = x.shape
    return max_first(x.reshape(n, width // pieces, pieces), axis=-1)


def maxout_with_jnp_max(x, *, pieces=2):
    n, width = x.shape
    return jnp.max(x.reshape(n, width // pieces, pieces), axis=-1)


def affine_in_another_order(W, b, x):
    return affine(x, W, b)


def test_max_first_gives_a_ties_gradient_to_the_first_maximum_where_jnp_max_splits_it():
    x = jnp.array([1.0, 3.0, 3.0])
    assert jax.grad(max_first)(x).tolist() == [0.0, 1.0, 0.0]
    assert jax.grad(jnp.max)(x).tolist() == [0.0, 0.5, 0.5]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_max_like_layer_passes_with_an_oracle_that_encodes_its_tie_rule_and_fails_with_jnp_max(dtype):
    shapes = dict(inputs={"x": ("N", 6)}, config={"pieces": 3})
    good = run_entry(row("Maxout", Maxout, maxout, **shapes), dtype, examples=30)
    naive = run_entry(row("Maxout", Maxout, maxout_with_jnp_max, **shapes), dtype, examples=30)
    assert good.passed, good.failure
    assert not naive.passed and "dx does not match" in naive.failure


def test_a_configuration_given_as_buckets_is_drawn_per_example_from_them():
    entry = row(
        "LeakyReLU", manual_bp.LeakyReLU, leaky_relu, inputs={"x": ("N", 3)}, config={"alpha": buckets(0.01, 0.3)}
    )
    for alpha in (0.01, 0.3):
        case = find(entry.cases(np.float64), lambda c, alpha=alpha: c.config == {"alpha": alpha})
        assert case.config == {"alpha": alpha}
    result = run_entry(entry, "float64", examples=20)
    assert result.passed, result.failure


def test_buckets_must_be_hashable_and_not_empty():
    with pytest.raises(ValueError, match="at least one value"):
        buckets()
    with pytest.raises(TypeError, match="unhashable"):
        buckets([1, 2])


def _affine_row(errors=()):
    inputs, params = {"x": ("N", 3)}, {"W": (3, 2), "b": (2,)}
    return row("Affine", manual_bp.Affine, affine, inputs=inputs, params=params, errors=errors)


def test_declared_error_inputs_are_checked_and_a_missing_rejection_is_reported():
    wrong_width = ErrorInput(
        "x of the wrong width",
        lambda layer: layer(np.ones((3, 2)), np.ones(2)).forward(np.ones((4, 5))),
        ValueError,
        r"x must have shape",
    )
    never_raised = ErrorInput(
        "a fine x", lambda layer: layer(np.ones((3, 2)), np.ones(2)).forward(np.ones((4, 3))), ValueError, ""
    )
    assert _affine_row([wrong_width]).errors == (wrong_width,)
    assert check_error_inputs(_affine_row([wrong_width])) == []
    [report] = check_error_inputs(_affine_row([never_raised]))
    assert "a fine x" in report
    with pytest.raises(TypeError, match="errors must be oracle.ErrorInput values"):
        _affine_row(["not an ErrorInput"])


def test_state_names_initial_state_inputs_and_a_stateful_time_layer_verifies():
    entry = row(
        "TimeRNN",
        manual_bp.TimeRNN,
        time_rnn,
        inputs={"xs": ("N", 3, 2), "h": ("N", 4)},
        params={"Wx": (2, 4), "Wh": (4, 4), "b": (4,)},
        config={"stateful": True},
        state=("h",),
        max_value=2.0,
    )
    assert entry.state == ("h",)
    result = run_entry(entry, "float64", examples=15)
    assert result.passed, result.failure
    with pytest.raises(ValueError, match=r"state names \['c'\] are not inputs"):
        row("TimeRNN", manual_bp.TimeRNN, time_rnn, inputs={"xs": ("N", 3, 2)}, state=("c",))


def test_an_oracle_with_its_arguments_in_another_order_is_named_with_the_expected_order_and_shapes():
    entry = row(
        "Affine",
        manual_bp.Affine,
        affine_in_another_order,
        inputs={"x": (2, 3)},
        params={"W": (3, 4), "b": (4,)},
    )
    result = run_entry(entry, "float64", examples=5)
    assert not result.passed
    assert (
        "row 'Affine': the oracle affine_in_another_order failed when called as "
        "affine_in_another_order(x: (2, 3), W: (3, 4), b: (4,)); it must take f(*inputs, *params, **config) "
        "in that order (x, W, b): is its argument order another?"
    ) in result.failure
