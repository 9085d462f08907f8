"""The book's networks, built from ``manual_bp.layers``.

- ``two_layer``: ``TwoLayerNet`` (chapters 4 and 5);
- ``deep``: ``MultiLayerNet`` (chapter 6) and ``SimpleConvNet`` (chapter 7);
- the sequel: ``word2vec`` (``SimpleCBOW``, ``CBOW``, ``SkipGram``) and ``rnnlm`` (``SimpleRnnlm``,
  ``Rnnlm``, ``BetterRnnlm``), ``seq2seq`` (``Seq2seq``, ``PeekySeq2seq``, ``AttentionSeq2seq`` and
  their encoders and decoders).
"""

from manual_bp.networks.deep import MultiLayerNet, SimpleConvNet
from manual_bp.networks.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from manual_bp.networks.seq2seq import (
    AttentionDecoder,
    AttentionEncoder,
    AttentionSeq2seq,
    Decoder,
    Encoder,
    PeekyDecoder,
    PeekySeq2seq,
    Seq2seq,
)
from manual_bp.networks.two_layer import TwoLayerNet
from manual_bp.networks.word2vec import CBOW, SimpleCBOW, SkipGram

__all__ = [
    "AttentionDecoder",
    "AttentionEncoder",
    "AttentionSeq2seq",
    "CBOW",
    "Decoder",
    "Encoder",
    "BetterRnnlm",
    "MultiLayerNet",
    "PeekyDecoder",
    "PeekySeq2seq",
    "Rnnlm",
    "Seq2seq",
    "SimpleCBOW",
    "SimpleConvNet",
    "SimpleRnnlm",
    "SkipGram",
    "TwoLayerNet",
]
