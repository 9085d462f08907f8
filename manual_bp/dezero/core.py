"""DeZero's core: ``Variable``, ``Function``, ``Config`` and the arithmetic Functions.

A ``Function`` called on Variables (or arrays) runs ``forward`` on their arrays and, while
``Config.enable_backprop`` is on, records itself as its outputs' creator, keeps its inputs
and holds its outputs by weak reference (a graph never keeps itself alive).
``Variable.backward`` walks the recorded graph in decreasing generation order and calls
each Function's ``backward`` on Variables; every ``backward`` is written with Functions,
so ``backward(create_graph=True)`` records the backward pass too and differentiating it
gives second and higher derivatives.

Gradients nobody can read are skipped: a raw array given to a Function is wrapped in a
Variable with ``requires_grad = False`` (only the graph holds it, so its gradient could
never be read); ``Function.needs_input_grad`` tells ``backward`` which inputs need one (it
may return None for the others), and a Function none of whose inputs need a gradient is not
called at all. A Variable the user creates, a ``Parameter`` and every Function output keep
``requires_grad = True``; so does a wrapped array once it is handed to the user as a
gradient (a ``backward`` returning one of its inputs).

Conventions: gradients accumulate (``x.grad = x.grad + gx``, a new Variable, never an
in-place add) until ``cleargrad()``; no Function writes into the arrays it is given; a
Python scalar operand takes the other operand's dtype, so float32 stays float32.
"""

from __future__ import annotations

import contextlib
import heapq
import weakref

import numpy as np

from manual_bp._checks import shape_str

__all__ = [
    "Add",
    "Config",
    "Div",
    "Function",
    "Mul",
    "Neg",
    "Parameter",
    "Pow",
    "Sub",
    "Variable",
    "add",
    "as_array",
    "as_variable",
    "div",
    "mul",
    "neg",
    "no_grad",
    "pow",
    "rdiv",
    "rsub",
    "sub",
    "test_mode",
    "using_config",
]


class Config:
    """Global switches: ``enable_backprop`` (record graphs) and ``train`` (dropout, batch norm)."""

    enable_backprop = True
    train = True


@contextlib.contextmanager
def using_config(name: str, value):
    """Set ``Config.<name>`` to ``value`` inside the ``with`` block, restoring it afterwards."""
    old_value = getattr(Config, name)
    setattr(Config, name, value)
    try:
        yield
    finally:
        setattr(Config, name, old_value)


def no_grad():
    """``with no_grad():`` computes values without recording any graph."""
    return using_config("enable_backprop", False)


def test_mode():
    """``with test_mode():`` runs dropout and batch norm in inference mode."""
    return using_config("train", False)


test_mode.__test__ = False  # type: ignore[attr-defined]  # a test file importing it must not collect it


def as_array(x, dtype=None) -> np.ndarray:
    """``x`` as an ndarray; a scalar becomes a 0-d array (of ``dtype`` when given)."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array(x, dtype=dtype)
    return x


def as_variable(obj) -> Variable:
    """``obj`` itself when it is a Variable, else ``Variable(obj)``."""
    if isinstance(obj, Variable):
        return obj
    return Variable(obj)


def _operand(other, like: Variable):
    """A scalar operand as an array of ``like``'s dtype (so ``x * 2`` keeps float32)."""
    if isinstance(other, Variable):
        return other
    if np.isscalar(other) and like.data is not None and np.asarray(like.data).dtype.kind == "f":
        return np.array(other, dtype=like.data.dtype)
    return as_array(other)


class Variable:
    """A node of the graph: ``data`` (an ndarray), ``grad`` (a Variable or None), ``creator``."""

    __array_priority__ = 200  # ndarray + Variable calls Variable.__radd__

    def __init__(self, data, name: str | None = None):
        if data is not None and not isinstance(data, np.ndarray):
            raise TypeError(f"Variable data must be a numpy.ndarray, got {type(data).__name__} (use as_array)")
        self.data = data
        self.name = name
        self.grad: Variable | None = None  # d(output)/d(self), accumulated by backward
        self.creator: Function | None = None  # the Function that produced this Variable
        self.generation = 0  # one more than its creator's; orders backward
        self.requires_grad = True  # False only for a raw array a Function wrapped (no one can read its grad)

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def dtype(self):
        return self.data.dtype

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        if self.data is None:
            return "variable(None)"
        return "variable(" + str(self.data).replace("\n", "\n" + " " * 9) + ")"

    def set_creator(self, func: Function) -> None:
        self.creator = func
        self.generation = func.generation + 1

    def cleargrad(self) -> None:
        """Forget the accumulated gradient (backward adds to it otherwise)."""
        self.grad = None

    def unchain(self) -> None:
        """Cut this Variable from its creator (truncated backpropagation)."""
        self.creator = None

    def backward(self, retain_grad: bool = False, create_graph: bool = False) -> None:
        """Backpropagate from this Variable to every Variable it depends on.

        The seed is ``self.grad`` if set (a drawn cotangent), else ones. Each input's
        gradient is added to what it already holds. With ``retain_grad=False`` the
        gradients of intermediate Variables are dropped once used; with
        ``create_graph=True`` the backward pass is itself recorded, so the gradients can
        be differentiated again.
        """
        if self.grad is None:
            self.grad = Variable(np.ones_like(self.data))
        # A heap of (-generation, order added, function): the deepest Function first, each once.
        funcs: list[tuple[int, int, Function]] = []
        seen: set[int] = set()

        def add_func(f: Function) -> None:
            if id(f) not in seen:
                seen.add(id(f))
                heapq.heappush(funcs, (-f.generation, len(seen), f))

        if self.creator is not None:
            add_func(self.creator)
        with using_config("enable_backprop", create_graph):
            while funcs:
                f = heapq.heappop(funcs)[2]
                needs = f.needs_input_grad
                gxs = f.backward(*[_output_grad(output) for output in f.outputs]) if any(needs) else ()
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                for x, gx, need in zip(f.inputs, gxs, needs):
                    if gx is None or not need:  # not differentiable here (labels), or a wrapped array
                        continue
                    gx = as_variable(gx)
                    gx.requires_grad = True  # the user can read it now (x.grad), so it may need a grad in turn
                    if gx.shape != x.shape:
                        raise ValueError(
                            f"{type(f).__name__}.backward returned a gradient of shape {shape_str(gx.shape)} "
                            f"for an input of shape {shape_str(x.shape)}"
                        )
                    x.grad = gx if x.grad is None else x.grad + gx
                    if x.creator is not None:
                        add_func(x.creator)
                if not retain_grad:
                    for output in f.outputs:
                        alive = output()
                        if alive is not None:
                            alive.grad = None

    # Shape methods, defined in functions.shapes / functions.reductions (imported lazily:
    # those modules import this one).
    def reshape(self, *shape):
        from manual_bp.dezero.functions.shapes import reshape

        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return reshape(self, shape)

    def transpose(self, *axes):
        from manual_bp.dezero.functions.shapes import transpose

        if len(axes) == 0:
            axes = None
        elif len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        return transpose(self, axes)

    @property
    def T(self):
        return self.transpose()

    def sum(self, axis=None, keepdims: bool = False):
        from manual_bp.dezero.functions.reductions import sum as sum_

        return sum_(self, axis, keepdims)

    def __getitem__(self, slices):
        from manual_bp.dezero.functions.shapes import get_item

        return get_item(self, slices)

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(self, other)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(self, other)

    def __neg__(self):
        return neg(self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return rsub(self, other)

    def __truediv__(self, other):
        return div(self, other)

    def __rtruediv__(self, other):
        return rdiv(self, other)

    def __pow__(self, power):
        return pow(self, power)

    def __matmul__(self, other):
        from manual_bp.dezero.functions.affine import matmul

        return matmul(self, other)

    def __rmatmul__(self, other):
        from manual_bp.dezero.functions.affine import matmul

        return matmul(other, self)


def _output_grad(output: weakref.ref) -> Variable:
    """An output's gradient; zeros for an output nothing downstream used."""
    variable = output()
    if variable is None:
        raise RuntimeError("an output of a Function was freed before backward reached it")
    if variable.grad is None:
        return Variable(np.zeros_like(variable.data))
    return variable.grad


class Parameter(Variable):
    """A Variable that a Layer owns and an optimizer updates."""


def _wrapped(array) -> Variable:
    """A raw array given to a Function: a Variable only the graph holds, so it needs no gradient."""
    variable = Variable(array)
    variable.requires_grad = False
    return variable


class Function:
    """Base class: ``forward`` maps arrays to arrays, ``backward`` maps Variables to Variables.

    ``__call__`` records the graph (inputs, weakly held outputs, generation) only while
    ``Config.enable_backprop`` is on. A ``backward`` returns one gradient per input (None for
    an input it does not differentiate), built from Functions so it can be differentiated.
    A raw array among the inputs is wrapped in a Variable with ``requires_grad = False``;
    ``needs_input_grad`` (one bool per input, as PyTorch's ``ctx.needs_input_grad``) lets
    ``backward`` skip the gradients of those, returning None; the core ignores them anyway.
    """

    generation = 0
    inputs: list[Variable]
    outputs: list[weakref.ref]

    def __call__(self, *inputs):
        variables = [x if isinstance(x, Variable) else _wrapped(x) for x in inputs]
        ys = self.forward(*[x.data for x in variables])
        if not isinstance(ys, tuple):
            ys = (ys,)
        outputs = [Variable(as_array(y)) for y in ys]
        if Config.enable_backprop:
            self.generation = generation = max([x.generation for x in variables])
            for output in outputs:
                output.creator, output.generation = self, generation + 1
            self.inputs = variables
            self.outputs = [weakref.ref(output) for output in outputs]
        return outputs if len(outputs) > 1 else outputs[0]

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """One bool per input: whether ``backward`` must return its gradient (else None will do)."""
        return tuple([x.requires_grad for x in self.inputs])  # a list inside: faster than a generator

    def forward(self, *xs):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, *gys):
        raise NotImplementedError(f"{type(self).__name__}.backward")


def _unbroadcast(gx: Variable, shape: tuple) -> Variable:
    """``gx`` summed back to ``shape`` when the forward broadcast its input."""
    if gx.shape == tuple(shape):
        return gx
    from manual_bp.dezero.functions.shapes import sum_to

    return sum_to(gx, shape)


class Add(Function):
    """``y = x0 + x1`` (NumPy broadcasting). Backward: ``gx0 = sum_to(gy)``, ``gx1 = sum_to(gy)``."""

    def forward(self, x0, x1):
        self.x0_shape, self.x1_shape = x0.shape, x1.shape  # to undo broadcasting
        return x0 + x1

    def backward(self, gy):
        needs_x0, needs_x1 = self.needs_input_grad
        gx0 = _unbroadcast(gy, self.x0_shape) if needs_x0 else None
        return gx0, _unbroadcast(gy, self.x1_shape) if needs_x1 else None


class Mul(Function):
    """``y = x0 * x1``. Backward: ``gx0 = gy * x1``, ``gx1 = gy * x0`` (each summed to its shape)."""

    def forward(self, x0, x1):
        return x0 * x1

    def backward(self, gy):
        x0, x1 = self.inputs
        needs_x0, needs_x1 = self.needs_input_grad
        gx0 = _unbroadcast(gy * x1, x0.shape) if needs_x0 else None
        return gx0, _unbroadcast(gy * x0, x1.shape) if needs_x1 else None


class Neg(Function):
    """``y = -x``. Backward: ``gx = -gy``."""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Sub(Function):
    """``y = x0 - x1``. Backward: ``gx0 = sum_to(gy)``, ``gx1 = -sum_to(gy)``."""

    def forward(self, x0, x1):
        self.x0_shape, self.x1_shape = x0.shape, x1.shape  # to undo broadcasting
        return x0 - x1

    def backward(self, gy):
        needs_x0, needs_x1 = self.needs_input_grad
        gx0 = _unbroadcast(gy, self.x0_shape) if needs_x0 else None
        return gx0, _unbroadcast(-gy, self.x1_shape) if needs_x1 else None


class Div(Function):
    """``y = x0 / x1``. Backward: ``gx0 = gy / x1``, ``gx1 = -gy * x0 / x1**2``."""

    def forward(self, x0, x1):
        return x0 / x1

    def backward(self, gy):
        x0, x1 = self.inputs
        needs_x0, needs_x1 = self.needs_input_grad
        gx0 = _unbroadcast(gy / x1, x0.shape) if needs_x0 else None
        return gx0, _unbroadcast(gy * (-x0 / x1**2), x1.shape) if needs_x1 else None


class Pow(Function):
    """``y = x ** c`` for a constant ``c``. Backward: ``gx = c * x ** (c - 1) * gy``."""

    def __init__(self, c):
        self.c = c

    def forward(self, x):
        return x**self.c

    def backward(self, gy):
        (x,) = self.inputs
        return self.c * x ** (self.c - 1) * gy


def add(x0, x1):
    return Add()(x0, _operand(x1, as_variable(x0)))


def mul(x0, x1):
    return Mul()(x0, _operand(x1, as_variable(x0)))


def neg(x):
    return Neg()(x)


def sub(x0, x1):
    return Sub()(x0, _operand(x1, as_variable(x0)))


def rsub(x0, x1):
    """``x1 - x0`` (``x1`` is the scalar or array on the left of ``-``)."""
    return Sub()(_operand(x1, as_variable(x0)), x0)


def div(x0, x1):
    return Div()(x0, _operand(x1, as_variable(x0)))


def rdiv(x0, x1):
    """``x1 / x0`` (``x1`` is the scalar or array on the left of ``/``)."""
    return Div()(_operand(x1, as_variable(x0)), x0)


def pow(x, c):
    return Pow(c)(x)
