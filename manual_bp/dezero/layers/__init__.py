"""DeZero's layers: a ``Layer`` owns ``Parameter``s (and other layers) found through its attributes.

    layer = Linear(10, rng=0)            # input size inferred on the first call
    y = layer(x)                         # forward; parameters are created now
    for p in layer.params(): ...         # every Parameter, nested layers included, each once
    layer.save_weights("w.npz"); layer.load_weights("w.npz")

Parameters are collected in the order their attributes were first set (the book uses a
set, so its order varies from run to run); a Parameter reachable twice (a tied weight) is
yielded once, so an optimizer updates it once. Weights are drawn from an injected
``np.random.Generator`` (or a seed), never from NumPy's global generator.

Modules by family (the stems of ``manual_bp/dezero/functions``): ``base`` (``Layer``), ``affine``
(``Linear``), ``convolution`` (``Conv2d``, ``Deconv2d``), ``normalization`` (``BatchNorm``),
``embedding`` (``EmbedID``), ``recurrent`` (``RNN``, ``LSTM``); ``import manual_bp.dezero.layers
as L`` then ``L.Linear(10)``, as in the book.
"""

from manual_bp.dezero.layers.affine import Linear
from manual_bp.dezero.layers.base import Layer, as_generator, normal
from manual_bp.dezero.layers.convolution import Conv2d, Deconv2d
from manual_bp.dezero.layers.embedding import EmbedID
from manual_bp.dezero.layers.normalization import BatchNorm
from manual_bp.dezero.layers.recurrent import LSTM, RNN

__all__ = ["LSTM", "RNN", "BatchNorm", "Conv2d", "Deconv2d", "EmbedID", "Layer", "Linear", "as_generator", "normal"]
