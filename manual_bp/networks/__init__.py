"""The book's networks, built from ``manual_bp.layers``.

- ``two_layer``: ``TwoLayerNet`` (chapters 4 and 5);
- ``deep``: ``MultiLayerNet`` (chapter 6) and ``SimpleConvNet`` (chapter 7).
"""

from manual_bp.networks.deep import MultiLayerNet, SimpleConvNet
from manual_bp.networks.two_layer import TwoLayerNet

__all__ = ["MultiLayerNet", "SimpleConvNet", "TwoLayerNet"]
