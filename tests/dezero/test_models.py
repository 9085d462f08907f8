"""Whole models: each loss gradient equals ``jax.grad`` of a pure JAX loss of the same parameters,
and for the MLP second order through the whole network (a Hessian-vector product, a gradient
penalty) equals JAX's."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from broken_nn_functions import cached_inv_std_batch_norm
from hypothesis import given
from hypothesis import strategies as st

import manual_bp.dezero.functions as F
from manual_bp.dezero import Variable
from manual_bp.dezero.functions.pooling import pooling
from manual_bp.dezero.layers import BatchNorm, Conv2d, Deconv2d, Linear
from manual_bp.dezero.models import MLP, BetterRNN, Sequential, SimpleRNN
from oracle.dezero import models as reference
from oracle.verify.tolerance import TOLERANCES, compare

DTYPES = [np.float64, np.float32]
ACTIVATIONS = {"sigmoid": (F.sigmoid, jax.nn.sigmoid), "relu": (F.relu, lambda x: jnp.where(x > 0, x, 0.0))}
MLP_SHAPES = st.sampled_from([(4, 3, (5, 3)), (6, 2, (4, 4, 3))])  # (batch, features, layer sizes): few compiles


def _float64(params: dict) -> dict:
    return {k: jnp.asarray(p.data, dtype=jnp.float64) for k, p in params.items()}


def _assert_close(got: dict, want: dict, dtype, what: str):
    for name in want:
        result = compare(got[name], np.asarray(want[name]), TOLERANCES[np.dtype(dtype)])
        assert result.passed, f"{what}: {name}\n{result.report}"


# Jitted once per module (a jit made per call recompiles every example); each shape bucket compiles once.
_convnet_grad = jax.jit(jax.grad(reference.small_convnet_loss))
_deconvnet_grad = jax.jit(jax.grad(reference.small_deconvnet_loss))
_mlp_grads = {
    name: jax.jit(jax.value_and_grad(functools.partial(reference.mlp_loss, activation=act)))
    for name, (_, act) in ACTIVATIONS.items()
}


def _hvp_ref(params, v, x, t):
    return jax.jvp(jax.grad(functools.partial(reference.mlp_loss, x=x, t=t)), (params,), (v,))[1]


def _penalized_ref(params, x, t, activation):
    def loss_of_x(x):
        return reference.mlp_loss(params, x, t, activation=activation)

    return loss_of_x(x) + jnp.sum(jax.grad(loss_of_x)(x) ** 2)


_hvp = jax.jit(_hvp_ref)
_penalty_grads = {
    name: jax.jit(jax.grad(functools.partial(_penalized_ref, activation=act))) for name, (_, act) in ACTIVATIONS.items()
}
_recurrent_grads = {
    "rnn": jax.jit(jax.grad(functools.partial(reference.recurrent_loss, step=reference.rnn_step))),
    "lstm": jax.jit(jax.grad(functools.partial(reference.recurrent_loss, step=reference.lstm_step))),
}


def _mlp_case(seed, shape, dtype):
    batch, features, sizes = shape
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, features)).astype(dtype)
    t = rng.integers(0, sizes[-1], size=batch)
    return x, t, sizes


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@given(seed=st.integers(0, 2**16), shape=MLP_SHAPES)
def test_mlp_loss_gradient_equals_jax(dtype, activation, seed, shape):
    x, t, sizes = _mlp_case(seed, shape, dtype)
    model = MLP(sizes, activation=ACTIVATIONS[activation][0], dtype=dtype, rng=seed)
    loss = F.softmax_cross_entropy(model(x), t)
    loss.backward()
    params = model.named_params()
    with jax.enable_x64(True):
        want_loss, want = _mlp_grads[activation](_float64(params), jnp.asarray(x, jnp.float64), t)
    assert loss.dtype == dtype
    _assert_close({"loss": loss.data}, {"loss": want_loss}, dtype, "loss")
    _assert_close({k: p.grad.data for k, p in params.items()}, want, dtype, "gradient")


def _mlp_with_grads(x, t, sizes, seed, activation):
    model = MLP(sizes, activation=ACTIVATIONS[activation][0], dtype=np.float64, rng=seed)
    loss = F.softmax_cross_entropy(model(x), t)
    loss.backward(create_graph=True)
    return model, model.named_params()


@pytest.mark.parametrize("activation", ["sigmoid"])
@given(seed=st.integers(0, 2**16), shape=MLP_SHAPES)
def test_mlp_hessian_vector_product_by_double_backprop_equals_jax(activation, seed, shape):
    x, t, sizes = _mlp_case(seed, shape, np.float64)
    model, params = _mlp_with_grads(x, t, sizes, seed, activation)
    rng = np.random.default_rng(seed + 1)
    v = {k: rng.normal(size=p.shape) for k, p in params.items()}
    grads = {k: p.grad for k, p in params.items()}
    model.cleargrads()
    directional = sum(F.sum(grads[k] * v[k]) for k in params)  # <grad L, v>, recorded
    directional.backward()
    with jax.enable_x64(True):
        hvp = _hvp(_float64(params), {k: jnp.asarray(a) for k, a in v.items()}, jnp.asarray(x), t)
    _assert_close({k: p.grad.data for k, p in params.items()}, hvp, np.float64, "Hessian-vector product")


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@given(seed=st.integers(0, 2**16), shape=MLP_SHAPES)
def test_mlp_gradient_penalty_gradient_equals_jax(activation, seed, shape):
    # penalty = loss + |d loss / d x|^2: its parameter gradient differentiates the backward pass.
    x, t, sizes = _mlp_case(seed, shape, np.float64)
    model = MLP(sizes, activation=ACTIVATIONS[activation][0], dtype=np.float64, rng=seed)
    xv = Variable(x)
    loss = F.softmax_cross_entropy(model(xv), t)
    loss.backward(create_graph=True)
    gx = xv.grad
    model.cleargrads()
    penalized = loss + F.sum(gx * gx)
    penalized.backward()
    params = model.named_params()
    with jax.enable_x64(True):
        want = _penalty_grads[activation](_float64(params), jnp.asarray(x), t)
    _assert_close({k: p.grad.data for k, p in params.items()}, want, np.float64, "gradient-penalty gradient")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cell", ["rnn", "lstm"])
@given(seed=st.integers(0, 2**16))
def test_recurrent_model_loss_over_a_block_equals_jax(dtype, cell, seed):
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(4, 2, 1)).astype(dtype)  # 4 steps of a batch of 2 scalars
    ts = rng.normal(size=(4, 2, 1)).astype(dtype)
    model = (SimpleRNN if cell == "rnn" else BetterRNN)(3, 1, dtype=dtype, rng=seed)
    loss = 0
    for x, t in zip(xs, ts):
        loss = loss + F.mean_squared_error(model(x), t)
    loss.backward()
    params = model.named_params()
    with jax.enable_x64(True):
        want = _recurrent_grads[cell](_float64(params), jnp.asarray(xs, jnp.float64), jnp.asarray(ts, jnp.float64))
    _assert_close({k: p.grad.data for k, p in params.items()}, want, dtype, f"{cell} gradient")


@pytest.mark.parametrize("dtype", DTYPES)
@given(seed=st.integers(0, 2**16))
def test_small_convnet_loss_gradient_equals_jax(dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 2, 4, 4)).astype(dtype)
    t = rng.integers(0, 3, size=2)
    model = Sequential(
        Conv2d(3, 3, pad=1, dtype=dtype, rng=seed),
        F.relu,
        lambda y: pooling(y, 2, stride=2),
        lambda y: F.reshape(y, (len(y), -1)),
        Linear(3, dtype=dtype, rng=seed + 1),
    )
    F.softmax_cross_entropy(model(x), t).backward()
    params = model.named_params()
    with jax.enable_x64(True):
        want = _convnet_grad(_float64(params), jnp.asarray(x, jnp.float64), t)
    _assert_close({k: p.grad.data for k, p in params.items()}, want, dtype, "convnet gradient")


@pytest.mark.parametrize("dtype", DTYPES)
@given(seed=st.integers(0, 2**16))
def test_small_transposed_convolution_net_loss_gradient_equals_jax(dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3, 3, 3)).astype(dtype)
    t = rng.integers(0, 3, size=2)
    model = Sequential(
        Deconv2d(2, 4, stride=2, pad=1, dtype=dtype, rng=seed),
        F.relu,
        lambda y: F.reshape(y, (len(y), -1)),
        Linear(3, dtype=dtype, rng=seed + 1),
    )
    F.softmax_cross_entropy(model(x), t).backward()
    params = model.named_params()
    with jax.enable_x64(True):
        want = _deconvnet_grad(_float64(params), jnp.asarray(x, jnp.float64), t)
    _assert_close({k: p.grad.data for k, p in params.items()}, want, dtype, "transposed-convolution net gradient")


_bn_hvp = jax.jit(
    lambda params, v, x, t: jax.jvp(
        jax.grad(functools.partial(reference.batch_norm_mlp_loss, x=x, t=t)), (params,), (v,)
    )
)


def _batch_norm_mlp_hvp(seed):
    """(gradient, Hessian-vector product) by double backprop and by JAX, for an MLP with batch norm."""
    rng = np.random.default_rng(seed)
    x, t = rng.normal(size=(6, 3)), rng.integers(0, 3, size=6)
    model = Sequential(
        Linear(4, dtype=np.float64, rng=seed), BatchNorm(), F.sigmoid, Linear(3, dtype=np.float64, rng=seed)
    )
    F.softmax_cross_entropy(model(x), t).backward(create_graph=True)
    params = {k: p for k, p in model.named_params().items() if "avg_" not in k}
    grads = {k: p.grad for k, p in params.items()}
    v = {k: rng.normal(size=p.shape) for k, p in params.items()}
    model.cleargrads()
    sum(F.sum(grads[k] * v[k]) for k in params).backward()
    with jax.enable_x64(True):
        want_grad, want_hvp = _bn_hvp(_float64(params), {k: jnp.asarray(a) for k, a in v.items()}, jnp.asarray(x), t)
    got_grad = {k: g.data for k, g in grads.items()}
    return got_grad, {k: p.grad.data for k, p in params.items()}, want_grad, want_hvp


@given(seed=st.integers(0, 2**16))
def test_batch_norm_mlp_hessian_vector_product_equals_jax(seed):
    got_grad, got_hvp, want_grad, want_hvp = _batch_norm_mlp_hvp(seed)
    _assert_close(got_grad, want_grad, np.float64, "gradient")
    _assert_close(got_hvp, want_hvp, np.float64, "Hessian-vector product")


def test_the_books_batch_norm_backward_spoils_the_models_hessian_vector_product_only(monkeypatch):
    import manual_bp.dezero.layers.normalization as normalization  # noqa: PLC0415

    monkeypatch.setattr(normalization, "batch_norm", cached_inv_std_batch_norm)
    got_grad, got_hvp, want_grad, want_hvp = _batch_norm_mlp_hvp(0)
    _assert_close(got_grad, want_grad, np.float64, "gradient")  # the first order is right
    with pytest.raises(AssertionError, match="Hessian-vector product: l0/W"):
        _assert_close(got_hvp, want_hvp, np.float64, "Hessian-vector product")
