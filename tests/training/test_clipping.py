"""clip_grads: the global-norm rule of optax.clip_by_global_norm, never writing into the gradients."""

import jax
import numpy as np
import optax
import pytest
from hypothesis import given
from hypothesis import strategies as st

from manual_bp.training import clip_grads, global_norm
from oracle.verify.strategies import float_arrays


@given(
    a=float_arrays(np.float64, (3, 2), max_value=10.0),
    b=float_arrays(np.float64, (4,), max_value=10.0),
    max_norm=st.floats(0.01, 50.0),
)
def test_clip_grads_equals_optax_clip_by_global_norm(a, b, max_norm):
    grads = {"W": a, "b": b}
    frozen = {k: v.copy() for k, v in grads.items()}
    for v in frozen.values():
        v.flags.writeable = False
    clipped = clip_grads(frozen, max_norm)
    transform = optax.clip_by_global_norm(max_norm)
    with jax.enable_x64(True):
        reference, _ = transform.update(grads, transform.init(grads))
        reference = {k: np.asarray(v) for k, v in reference.items()}
    for name in grads:
        np.testing.assert_allclose(clipped[name], reference[name], rtol=1e-12, atol=1e-300)
    assert global_norm(clipped) <= max_norm * (1 + 1e-12) or global_norm(grads) < max_norm


def test_clip_grads_keeps_float32():
    clipped = clip_grads({"W": np.full(4, 10.0, np.float32)}, 1.0)
    assert clipped["W"].dtype == np.float32 and global_norm(clipped) == pytest.approx(1.0, rel=1e-6)


def test_max_norm_must_be_positive():
    with pytest.raises(ValueError, match="max_norm must be a positive number, got 0"):
        clip_grads({"W": np.ones(2)}, 0)
