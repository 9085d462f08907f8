"""Three gradients side by side: hand-written backward, ``jax.vjp`` (exact), central differences.

The engine of ``manual-bp compare`` (``oracle.compare.network_check`` does the same for
``TwoLayerNet``). For one case of a catalog layer it computes every gradient three ways and reports,
per differentiated quantity, the error of each pair, the time each method takes, and how many ReLU
kinks a finite difference crossed.

- manual: ``layer.backward(dout)`` after ``layer.forward``;
- JAX: ``oracle.reference.reference_vjp`` of the oracle function, float64, jitted;
- numerical, by central differences of the manual forward in the layer's dtype, of
  ``F = <dout, f(x)>`` (the loss itself for a scalar loss), in one of two modes:
  ``"directional"`` (the default): ``K`` random directional derivatives per quantity, two
  forward passes each (``oracle.compare.directional``), compared with the same directional
  derivatives of the manual and the JAX gradient; ``"full"``: the book's per-entry gradient,
  ``manual_bp.numerical.numerical_vjp`` with ``u = dout``, two forward passes per entry.

Errors are normwise relative, ``max|a - b| / max|b|`` with ``b`` the more trusted side
(JAX, then manual), and absolute ``max|a - b|``: over entries for manual vs JAX (always) and
for the full numerical gradient, over the ``K`` directions for directional derivatives. The
book's figure for a network (full mode) is the mean absolute difference numerical vs backprop
per parameter.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import hypothesis
import jax
import numpy as np

from manual_bp.numerical import numerical_vjp
from oracle.compare.directional import directional_derivatives, project
from oracle.verify.binding import bind
from oracle.verify.entry import CatalogEntry
from oracle.verify.reference import reference_vjp, vjp_of_differentiable
from oracle.verify.strategies import Case
from oracle.verify.tolerance import compare, tolerance_for
from oracle.verify.verifier import parameter_gradients

__all__ = [
    "CASE_SHAPES",
    "KINKED_AT_ZERO",
    "MODES",
    "PAIRS",
    "GradientCheck",
    "check_layer",
    "directional_pairwise_errors",
    "jax_timings",
    "kink_count",
    "layer_case",
    "mean_abs_differences",
    "pairwise_errors",
    "time_call",
    "timed",
    "within_tolerance",
]

PAIRS = ("manual_vs_jax", "numerical_vs_jax", "numerical_vs_manual")
MODES = ("directional", "full")  # how the numerical gradient is taken: K random directions, or every entry

# Argument shapes of the chapter-5 layers' cases, for a batch of N samples (--batch).
# Broadcasting is exercised by the binary layers (y of shape (3,) against x of (N, 3)).
# Other catalog layers take their shapes from their Hypothesis strategy (see layer_case).
CASE_SHAPES: dict[str, dict[str, tuple]] = {
    "AddLayer": {"x": ("N", 3), "y": (3,)},
    "MulLayer": {"x": ("N", 3), "y": (3,)},
    "ReLU": {"x": ("N", 5)},
    "Sigmoid": {"x": ("N", 5)},
    "Affine": {"x": ("N", 4), "W": (4, 3), "b": (3,)},
    "SoftmaxWithLoss": {"x": ("N", 3), "t": ("N",)},
}


@dataclasses.dataclass
class GradientCheck:
    """One case checked three ways.

    - ``errors[pair][quantity] = (max_abs, max_rel)`` for each pair in ``PAIRS``;
    - ``seconds``: ``manual`` (forward + backward), ``jax_eager`` (``jax.vjp`` + pullback,
      not jitted; ``None`` unless asked for: its first call compiles every primitive),
      ``jax_jit`` (steady state), ``jax_compile`` (first jitted call minus the steady state:
      0 when this process compiled that shape before), ``numerical`` (all of it);
    - ``kinks``: ReLU pre-activations a finite difference of step ``h`` crossed (of ``units``);
    - ``book``: mean |numerical - manual| per quantity (the book's ``gradient_check.py``;
      full mode only, ``{}`` in directional mode);
    - ``within_tolerance``: manual vs JAX passes ``oracle.verify.tolerance`` for ``dtype``;
    - ``numerical_mode``: one of ``MODES``; ``directions``: ``K`` (0 in full mode);
    - ``directional``: ``{q: {"numerical", "manual", "jax"}}``, the ``K`` directional
      derivatives of each (lists of floats; ``{}`` in full mode).
    """

    name: str
    dtype: str
    h: float
    errors: dict
    seconds: dict
    kinks: int
    units: int
    book: dict
    within_tolerance: bool
    numerical_mode: str = "full"
    directions: int = 0
    directional: dict = dataclasses.field(default_factory=dict)

    def max_rel(self, pair: str) -> float:
        return max((rel for _, rel in self.errors[pair].values()), default=0.0)

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["errors"] = {
            pair: {q: {"max_abs": a, "max_rel": r} for q, (a, r) in quantities.items()}
            for pair, quantities in self.errors.items()
        }
        data["max_rel"] = {pair: self.max_rel(pair) for pair in PAIRS}
        return data


def time_call(fn: Callable, *, budget: float = 0.005, max_calls: int = 200) -> float:
    """The fastest of repeated calls of ``fn()`` in seconds, within about ``budget`` seconds."""
    best, spent, calls = float("inf"), 0.0, 0
    while calls < max_calls and (calls < 2 or spent < budget):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best, spent, calls = min(best, elapsed), spent + elapsed, calls + 1
    return best


def _errors(got: np.ndarray, ref: np.ndarray) -> tuple:
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    abs_err = float(np.max(np.abs(got - ref))) if ref.size else 0.0
    scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    return abs_err, (abs_err / scale if scale else (0.0 if abs_err == 0 else float("inf")))


def pairwise_errors(manual: dict, jax_grads: dict, numerical: dict) -> dict:
    """``{pair: {quantity: (max_abs, max_rel)}}`` for the three pairs of ``PAIRS``."""
    return {
        "manual_vs_jax": {q: _errors(manual[q], jax_grads[q]) for q in jax_grads},
        "numerical_vs_jax": {q: _errors(numerical[q], jax_grads[q]) for q in jax_grads},
        "numerical_vs_manual": {q: _errors(numerical[q], manual[q]) for q in jax_grads},
    }


def directional_pairwise_errors(manual: dict, jax_grads: dict, numerical: dict, moves: dict) -> tuple:
    """``(errors, directional)`` for directional derivatives (see ``oracle.compare.directional``).

    ``errors`` as ``pairwise_errors``: manual vs JAX over every entry of the gradients; the
    numerical pairs over the ``K`` directional derivatives ``numerical[q]`` against
    ``<jax_grads[q], d_k>`` and ``<manual[q], d_k>`` for the steps ``d_k`` in ``moves[q]``.
    ``directional``: ``{q: {"numerical", "manual", "jax"}}``, those ``K`` numbers as lists.
    """
    along_manual, along_jax = project(manual, moves), project(jax_grads, moves)
    errors = {
        "manual_vs_jax": {q: _errors(manual[q], jax_grads[q]) for q in jax_grads},
        "numerical_vs_jax": {q: _errors(numerical[q], along_jax[q]) for q in jax_grads},
        "numerical_vs_manual": {q: _errors(numerical[q], along_manual[q]) for q in jax_grads},
    }
    directional = {
        q: {"numerical": numerical[q].tolist(), "manual": along_manual[q].tolist(), "jax": along_jax[q].tolist()}
        for q in jax_grads
    }
    return errors, directional


def within_tolerance(manual: dict, jax_grads: dict, dtype) -> bool:
    """Whether every manual gradient passes ``oracle.tolerance.compare`` for ``dtype`` (as verify)."""
    tol = tolerance_for(dtype)
    return all(compare(manual[q], jax_grads[q], tol).passed for q in jax_grads)


def mean_abs_differences(numerical: dict, manual: dict) -> dict:
    """Mean |numerical - manual| per quantity: the figure the book's gradient_check.py prints."""
    return {q: float(np.mean(np.abs(np.asarray(numerical[q], np.float64) - manual[q]))) for q in manual}


def timed(fn: Callable) -> tuple:
    """``(fn(), seconds)`` for one call."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def jax_timings(first: float, call_jit: Callable, call_eager: Callable | None) -> dict:
    """Steady-state jitted and eager times; compile time is the first jitted call's excess.

    ``call_eager=None`` skips the eager timing (``jax_eager`` is then ``None``): its first call
    compiles every primitive of the function once, up to a second or more per layer.
    """
    steady = time_call(call_jit)
    times = {"jax_eager": None, "jax_jit": steady, "jax_compile": max(first - steady, 0.0)}
    if call_eager is not None:
        _, first_eager = timed(call_eager)  # the first eager call also compiles each primitive once
        # an eager lax.scan is traced again at every call (~1 s): then one call is the measurement
        times["jax_eager"] = first_eager if first_eager > 0.25 else time_call(call_eager)
    return times


# -- catalog layers ----------------------------------------------------------------------
def _drawn_case(entry: CatalogEntry, dtype, seed: int) -> Case:
    """The first case Hypothesis draws from ``entry.cases(dtype)`` under ``seed`` (deterministic)."""
    drawn = []

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=1,
        database=None,
        phases=[hypothesis.Phase.generate],
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(entry.cases(np.dtype(dtype)))
    def draw(case):
        drawn.append(case)

    draw()
    return drawn[0]


def _is_float_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def layer_case(entry: CatalogEntry, dtype, rng: np.random.Generator, *, batch: int, seed: int = 0) -> Case:
    """A deterministic case of ``entry``: standard-normal values and a standard-normal ``dout``.

    Layers in ``CASE_SHAPES`` get those shapes with ``N = batch`` (labels: random indices).
    Any other catalog layer takes its shapes and its data arguments (labels, masks, seeds)
    from the first case its Hypothesis strategy draws under ``seed``; its differentiable
    float arrays and ``dout`` are then redrawn from ``rng``, so values are typical rather
    than the strategy's kinks and ties (which a finite difference cannot handle anyway).
    """
    dtype = np.dtype(dtype)
    if entry.name in CASE_SHAPES:
        shapes = {k: tuple(batch if s == "N" else s for s in shape) for k, shape in CASE_SHAPES[entry.name].items()}
        values = {}
        for name, shape in shapes.items():
            if name in entry.nondiff:  # labels: class indices of the scores' last axis
                values[name] = rng.integers(0, shapes["x"][-1], size=shape)
            else:
                values[name] = rng.standard_normal(shape).astype(dtype)
        inputs = {k: values[k] for k in entry.inputs}
        params = {k: values[k] for k in entry.params}
        probe = entry.layer(*params.values()).forward(*inputs.values())
        dout_shape = np.shape(probe)
    else:
        drawn = _drawn_case(entry, dtype, seed)

        def typical(name, value):
            if name in entry.nondiff or not _is_float_array(value):
                return value
            return rng.standard_normal(value.shape).astype(dtype)

        # initial states are inputs here: a stateful layer starts from them (a stateless one, from
        # zeros, would make the finite difference of h0 zero while its gradient is dL/dh0)
        config = {**drawn.config, "stateful": True} if entry.state else drawn.config

        inputs = {k: typical(k, v) for k, v in drawn.inputs.items()}
        params = {k: typical(k, v) for k, v in drawn.params.items()}
        if isinstance(drawn.dout, tuple):  # a layer with several outputs: a cotangent for each
            dout = tuple(np.asarray(rng.standard_normal(np.shape(d)), dtype) for d in drawn.dout)
            return Case(inputs, params, dout, config=config)
        return Case(inputs, params, np.asarray(rng.standard_normal(np.shape(drawn.dout)), dtype), config=config)
    return Case(inputs, params, np.asarray(rng.standard_normal(dout_shape), dtype))


KINKED_AT_ZERO = ("ReLU", "LeakyReLU")  # elementwise layers whose only kink is at x = 0


def kink_count(entry: CatalogEntry, case: Case, *, h: float, steps=None) -> tuple:
    """``(crossed, units)``: for ReLU-like layers, the entries of ``x`` some finite difference crossed 0 at.

    Per-entry differences (``steps=None``) step each entry by ``+-h``: crossed when ``|x| < h``.
    Directional ones (``steps``: the ``(plus, minus)`` points of ``x`` from
    ``oracle.compare.directional.directional_derivatives``) cross where ``plus > 0`` and
    ``minus > 0`` differ. Other layers report ``(0, 0)``: not inspected (max-pooling ties within
    ``h`` are also non-smooth points, left out to keep this simple).
    """
    if entry.name not in KINKED_AT_ZERO:
        return 0, 0
    x = np.asarray(case.inputs["x"])
    if steps is None:
        return int(np.sum(np.abs(x) < h)), int(x.size)
    crossed = np.zeros(x.shape, bool)
    for plus, minus in steps:
        crossed |= (plus > 0) != (minus > 0)
    return int(crossed.sum()), int(x.size)


def _forward(entry: CatalogEntry, case: Case, arguments: dict):
    """``(layer, output)``: the layer built with the case's configuration, its initial states set."""
    layer = entry.layer(*(arguments[k] for k in entry.params), **case.config)
    if entry.state:
        layer.set_state(*(arguments[k] for k in entry.state))
    return layer, layer.forward(*(arguments[k] for k in entry.inputs if k not in entry.state))


def _manual_layer_grads(entry: CatalogEntry, case: Case) -> dict:
    """Input gradients returned by ``backward(dout)`` (states: ``d<name>``), parameter gradients from
    ``grads``/``d<name>``."""
    layer, _ = _forward(entry, case, {**case.inputs, **case.params})
    returned = layer.backward(*(case.dout if isinstance(case.dout, tuple) else (case.dout,)))
    diff_inputs = [k for k in entry.inputs if k not in entry.nondiff and k not in entry.state]
    returned = returned if isinstance(returned, tuple) else (returned,)
    grads = dict(zip(diff_inputs, returned))
    grads.update({k: np.array(getattr(layer, "d" + k)) for k in entry.state if k not in entry.nondiff})
    differentiable_params = [name for name in entry.params if name not in entry.nondiff]
    grads.update({name: np.array(grad) for name, grad in parameter_gradients(layer, differentiable_params).items()})
    return grads


def check_layer(
    entry: CatalogEntry,
    case: Case,
    *,
    h: float = 1e-4,
    numerical: str = "directional",
    directions: int = 8,
    rng: np.random.Generator | None = None,
    eager: bool = False,
) -> GradientCheck:
    """Check one case of a catalog layer three ways (see the module docstring).

    - ``h`` (default ``1e-4``, the book's): the finite-difference step;
    - ``numerical`` (default ``"directional"``): ``"directional"`` or ``"full"`` (``MODES``);
    - ``directions`` (default 8): ``K``, random directions per quantity (directional mode);
    - ``rng`` (default ``np.random.default_rng(0)``): draws the directions;
    - ``eager`` (default ``False``): also time ``jax.vjp`` un-jitted (``seconds["jax_eager"]``).
    """
    if numerical not in MODES:
        raise ValueError(f"numerical must be one of {', '.join(MODES)}, got {numerical!r}")
    names = [*entry.inputs, *entry.params]
    arguments = {**case.inputs, **case.params}
    differentiable = [k not in entry.nondiff for k in names]
    diff_names = [k for k in names if k not in entry.nondiff]
    dtype = np.result_type(*(arguments[k] for k in diff_names))

    function = bind(entry.function, **case.config) if case.config else entry.function
    several = isinstance(case.dout, tuple)
    manual = _manual_layer_grads(entry, case)
    (_, refs), first_jit = timed(
        lambda: reference_vjp(function, [arguments[k] for k in names], differentiable, case.dout)
    )
    jax_grads = dict(zip(diff_names, refs))

    def forward_at(values: dict):
        out = _forward(entry, case, values)[1]
        return np.concatenate([np.ravel(o) for o in out]) if several else out

    def forward_with(name: str) -> Callable:
        return lambda value: forward_at({**arguments, name: value})

    flat_dout = np.concatenate([np.ravel(d) for d in case.dout]) if several else case.dout
    flat_cotangent = np.asarray(flat_dout, np.float64)
    start = time.perf_counter()
    if numerical == "full":
        grads = {k: numerical_vjp(forward_with(k), arguments[k], flat_dout, h=h) for k in diff_names}
        numerical_seconds = time.perf_counter() - start
        errors, directional, book = pairwise_errors(manual, jax_grads, grads), {}, mean_abs_differences(grads, manual)
        kinks, units = kink_count(entry, case, h=h)
    else:

        def projected(values: dict) -> float:
            return float(np.vdot(flat_cotangent, np.asarray(forward_at(values), np.float64)))

        fd, moves, steps = directional_derivatives(
            projected,
            arguments,
            diff_names,
            h=h,
            directions=directions,
            rng=np.random.default_rng(0) if rng is None else rng,
        )
        numerical_seconds = time.perf_counter() - start
        (errors, directional), book = directional_pairwise_errors(manual, jax_grads, fd, moves), {}
        kinks, units = kink_count(entry, case, h=h, steps=steps.get("x"))

    seconds = {"manual": time_call(lambda: _manual_layer_grads(entry, case))}
    args64 = [np.asarray(arguments[k], np.float64) if d else arguments[k] for k, d in zip(names, differentiable)]
    cotangent = tuple(np.asarray(d, np.float64) for d in case.dout) if several else np.asarray(case.dout, np.float64)
    eager_vjp = vjp_of_differentiable(function, tuple(differentiable))

    def call_eager():
        with jax.enable_x64(True):
            return jax.block_until_ready(eager_vjp(args64, cotangent)[1])

    seconds.update(
        jax_timings(
            first_jit, lambda: reference_vjp(function, args64, differentiable, cotangent), call_eager if eager else None
        )
    )
    seconds["numerical"] = numerical_seconds
    return GradientCheck(
        entry.name,
        np.dtype(dtype).name,
        h,
        errors,
        seconds,
        kinks,
        units,
        book,
        within_tolerance(manual, jax_grads, dtype),
        numerical,
        directions if numerical == "directional" else 0,
        directional,
    )
