"""The store of compiled reference functions (``oracle.verify.executables``): a stored executable
gives the same values with no trace, only built-in oracles get a recipe, and a damaged entry is
compiled again."""

import os
import pathlib
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import monitoring

from oracle.layers.activations import leaky_relu, relu
from oracle.verify import executables
from oracle.verify.binding import bind
from oracle.verify.reference import vjp_of_differentiable

RNG = np.random.default_rng(23)
TRACES: list = []
monitoring.register_event_duration_secs_listener(
    lambda event, seconds, **_: TRACES.append(event) if event == "/jax/core/compile/jaxpr_trace_duration" else None
)


@pytest.fixture
def store(tmp_path):
    executables.enable(str(tmp_path))
    yield tmp_path
    executables.enable(None)


def _stored_vjp(function):
    recipe = executables.recipe(function)
    return executables.jit(vjp_of_differentiable(function, (True,)), recipe=("vjp", recipe, (True,)))


def _run(jitted, x, dout):
    with jax.enable_x64(True):
        primal, (dx,) = jitted((x,), dout)
        return np.asarray(primal), np.asarray(dx)


def test_a_stored_executable_gives_the_same_values_in_a_new_function_without_a_trace(store):
    x, dout = RNG.normal(size=(3, 17)), RNG.normal(size=(3, 17))
    first = _run(_stored_vjp(relu), x, dout)
    assert len(list(store.rglob("*.exe"))) == 1
    traces = len(TRACES)
    again = _run(_stored_vjp(relu), x, dout)  # a new object: nothing in memory, loaded from the store
    assert len(TRACES) == traces
    for got, expected in zip(again, first):
        assert np.array_equal(got, expected)
    assert np.array_equal(first[1], np.where(x > 0, dout, 0.0))


def test_each_shape_and_each_bound_setting_is_its_own_entry(store):
    x, dout = RNG.normal(size=(2, 19)), RNG.normal(size=(2, 19))
    _run(_stored_vjp(relu), x, dout)
    _run(_stored_vjp(relu), x[:1], dout[:1])
    assert len(list(store.rglob("*.exe"))) == 2
    template = bind(leaky_relu, alpha=0.5).template
    assert executables.recipe(template) == ("oracle.layers.activations", "leaky_relu", ("template", (), ("alpha",)))
    assert executables.recipe(bind(leaky_relu, alpha=0.5)) != executables.recipe(bind(leaky_relu, alpha=0.25))


def test_only_a_built_in_oracle_named_in_its_module_has_a_recipe():
    def users_relu(x):
        return jnp.where(x > 0, x, 0.0)

    assert executables.recipe(relu) == ("oracle.layers.activations", "relu")
    assert executables.recipe(users_relu) is None  # a user's function: only a trace can tell what it computes
    assert executables.recipe(bind(users_relu)) is None
    assert executables.recipe(bind(relu, names=frozenset("ab"))) is None  # its repr's order varies by process
    renamed = vjp_of_differentiable(relu, (True,))  # a closure
    assert executables.recipe(renamed) is None


def test_a_function_without_a_recipe_is_plain_jax_jit(store):
    jitted = executables.jit(lambda x: x * 2, recipe=None)
    assert not isinstance(jitted, executables.StoredJit)
    assert float(jitted(np.float32(2.0))) == 4.0
    assert not list(store.rglob("*.exe"))


def test_a_damaged_entry_is_compiled_again(store):
    x, dout = RNG.normal(size=(4, 23)), RNG.normal(size=(4, 23))
    expected = _run(_stored_vjp(relu), x, dout)
    (entry,) = store.rglob("*.exe")
    entry.write_bytes(b"not an executable")
    got = _run(_stored_vjp(relu), x, dout)
    assert all(np.array_equal(g, e) for g, e in zip(got, expected))
    assert entry.read_bytes() != b"not an executable"  # written again


def test_the_store_is_off_by_default_and_under_disable_jit_it_runs_op_by_op(tmp_path):
    x, dout = RNG.normal(size=(5, 29)), RNG.normal(size=(5, 29))
    jitted = _stored_vjp(relu)
    assert executables.store_directory() is None
    plain = _run(jitted, x, dout)
    executables.enable(str(tmp_path))
    try:
        with jax.disable_jit():
            op_by_op = _run(jitted, x, dout)
        assert not list(tmp_path.rglob("*.exe"))
    finally:
        executables.enable(None)
    assert all(np.array_equal(a, b) for a, b in zip(plain, op_by_op))


def test_the_output_shape_of_a_built_in_oracle_is_kept_too(store):
    structs = (jax.ShapeDtypeStruct((3, 31), np.float64),)
    assert executables.output_shape(relu, structs) == (3, 31)
    assert len(list(store.rglob("*.shape"))) == 1
    assert os.path.getsize(next(store.rglob("*.shape"))) > 0


_IN_A_NEW_PROCESS = """
import sys
import numpy as np
from jax import monitoring
traces = []
monitoring.register_event_duration_secs_listener(
    lambda event, seconds, **_: traces.append(event) if event.endswith("jaxpr_trace_duration") else None
)
from oracle.layers.activations import relu
from oracle.verify.reference import enable_compilation_cache, reference_vjp
enable_compilation_cache(sys.argv[1])
x = np.linspace(-1.0, 1.0, 37).reshape(1, 37)
primal, (dx,) = reference_vjp(relu, [x], [True], 2 * x)
assert np.array_equal(dx, np.where(x > 0, 2 * x, 0.0))
count = len(traces)
import jax
jax.jit(lambda v: v * 3.0)(x)  # any other function: JAX's cache as usual
print(count)
"""


def _traces_in_a_new_process(cache) -> int:
    root = pathlib.Path(__file__).resolve().parent.parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", _IN_A_NEW_PROCESS, str(cache)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def test_the_store_compiles_its_own_executables_and_jaxs_cache_keeps_serving_the_rest(tmp_path):
    """XLA's CPU client serialises an executable loaded from JAX's cache without its code, so the
    store's compiles neither read nor write JAX's cache (else a stored copy would fail in the next
    process, which would trace it again); every other compile still goes to JAX's cache."""
    assert _traces_in_a_new_process(tmp_path) > 0  # compiled into the store
    jax_entries = [p.name for p in tmp_path.iterdir() if p.name.startswith("jit_")]
    assert jax_entries and not any(name.startswith("jit_run") for name in jax_entries)  # the lambda only
    for entry in tmp_path.rglob("*.exe"):
        entry.unlink()
    assert _traces_in_a_new_process(tmp_path) > 0  # compiled into the store again
    assert _traces_in_a_new_process(tmp_path) == 0  # loaded from the store, and it runs
