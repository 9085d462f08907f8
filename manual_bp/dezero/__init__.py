"""The third book's framework: DeZero's define-by-run autograd, in NumPy.

    from manual_bp.dezero import Variable
    import manual_bp.dezero.functions as F
    x = Variable(np.array(1.0)); y = F.tanh(x); y.backward(create_graph=True)
    gx = x.grad; x.cleargrad(); gx.backward()   # x.grad is now tanh''(1)

Every Function's backward is built from Functions, so gradients can be differentiated
again (``backward(create_graph=True)``); each is verified against JAX to the second order
(``manual-bp verify``, rows of family ``dezero``).
"""

from manual_bp.dezero.core import (
    Config,
    Function,
    Parameter,
    Variable,
    as_array,
    as_variable,
    no_grad,
    test_mode,
    using_config,
)

__all__ = [
    "Config",
    "Function",
    "Parameter",
    "Variable",
    "as_array",
    "as_variable",
    "no_grad",
    "test_mode",
    "using_config",
]
