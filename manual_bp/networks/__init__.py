"""The book's networks, built from ``manual_bp.layers``.

- ``two_layer``: ``TwoLayerNet`` (chapters 4 and 5);
- ``deep``: ``MultiLayerNet`` (chapter 6) and ``SimpleConvNet`` (chapter 7);
- the sequel: ``word2vec`` (``SimpleCBOW``, ``CBOW``, ``SkipGram``) and ``rnnlm`` (``SimpleRnnlm``,
  ``Rnnlm``, ``BetterRnnlm``).
"""

from manual_bp.networks.deep import MultiLayerNet, SimpleConvNet
from manual_bp.networks.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from manual_bp.networks.two_layer import TwoLayerNet
from manual_bp.networks.word2vec import CBOW, SimpleCBOW, SkipGram

__all__ = [
    "CBOW",
    "BetterRnnlm",
    "MultiLayerNet",
    "Rnnlm",
    "SimpleCBOW",
    "SimpleConvNet",
    "SimpleRnnlm",
    "SkipGram",
    "TwoLayerNet",
]
