"""The sequel's encoder-decoder models (ch. 7-8): ``Seq2seq``, ``PeekySeq2seq``, ``AttentionSeq2seq``.

Shapes: ``N`` batch, ``T`` question length, ``T_a`` answer length (its first id is the start
symbol ``_``), ``V`` vocabulary, ``D`` word-vector size, ``H`` hidden size.

- ``Encoder``: ``TimeEmbedding -> TimeLSTM`` from zeros; hands the decoder its last ``h (N, H)``
  (the cell state ``c`` is dropped, as the book). ``AttentionEncoder`` hands over all ``hs (N, T, H)``.
- ``Decoder``: ``TimeEmbedding -> TimeLSTM(stateful, h_0 = h, c_0 = 0) -> TimeAffine``.
- ``PeekyDecoder``: ``h`` also enters every step: ``concat(h, embedding)`` into the LSTM
  (``Wx (H + D, 4H)``) and ``concat(h, lstm output)`` into the affine layer (``W (2H, V)``); ``h``
  comes **first** in both concatenations.
- ``AttentionDecoder``: LSTM from ``h_0 = hs[:, -1]``, then ``TimeAttention(hs, dec_hs)`` gives a
  context ``c`` per step and ``concat(c, dec_hs)`` (context first) enters ``TimeAffine (2H, V)``.
  The encoder's ``hs`` gets gradient along two paths: the attention, and its last step through
  the decoder's initial state.
- The models: ``forward(xs, ts)`` is teacher forcing, the decoder reads ``ts[:, :-1]`` and is
  scored on ``ts[:, 1:]`` with ``TimeSoftmaxWithLoss`` (mean over ``N (T_a - 1)``);
  ``backward()`` fills ``grads``; ``generate(xs, start_id, sample_size)`` decodes greedily (the
  argmax id at each step is the next input) and returns ``(N, sample_size)`` ids.

``params`` / ``grads`` are ``{name: array}``, every array once, named ``encoder_*`` and
``decoder_*`` in the models. Initialisation as the book: embeddings ``N(0, 1) / 100``, weights
``N(0, 1) / sqrt(fan_in)``, biases 0, from the injected Generator.
"""

from __future__ import annotations

import numpy as np

from manual_bp._checks import as_indices, float_dtype, generator, positive_int, require_forward, shape_str
from manual_bp.layers.attention import TimeAttention, check_mask
from manual_bp.layers.time_layers import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss

__all__ = [
    "AttentionDecoder",
    "AttentionEncoder",
    "AttentionSeq2seq",
    "Decoder",
    "Encoder",
    "PeekyDecoder",
    "PeekySeq2seq",
    "Seq2seq",
]


def _sizes(vocab_size, wordvec_size, hidden_size):
    return tuple(
        positive_int(name, value)
        for name, value in (("vocab_size", vocab_size), ("wordvec_size", wordvec_size), ("hidden_size", hidden_size))
    )


def _weight(rng, dtype, fan_in, fan_out):
    return (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype)


class _Part:
    """Shared by the encoders and decoders: the parameter arrays, their gradient buffers, the LSTM."""

    def __init__(self, vocab_size, wordvec_size, hidden_size, *, seed=None, rng=None, dtype=np.float64):
        self.vocab, self.wordvec, self.hidden = _sizes(vocab_size, wordvec_size, hidden_size)
        self.rng, self.dtype = generator(seed, rng), float_dtype(dtype)
        V, D, H = self.vocab, self.wordvec, self.hidden
        self.params = {"embed_W": (self.rng.standard_normal((V, D)) / 100).astype(self.dtype)}
        lstm_in = self._lstm_input()
        self.params["lstm_Wx"] = _weight(self.rng, self.dtype, lstm_in, 4 * H)
        self.params["lstm_Wh"] = _weight(self.rng, self.dtype, H, 4 * H)
        self.params["lstm_b"] = np.zeros(4 * H, self.dtype)
        self._more_params()
        p = self.params
        self.embed = TimeEmbedding(p["embed_W"])
        self.lstm = TimeLSTM(p["lstm_Wx"], p["lstm_Wh"], p["lstm_b"], stateful=self._stateful)
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self.hs_shape = None  # (N, T, H) of the last forward: the encoder's backward builds dhs

    _stateful = False

    def _lstm_input(self):
        return self.wordvec

    def _more_params(self):
        pass

    def _ids(self, name, xs):
        xs = as_indices(name, xs, self.vocab)
        if xs.ndim != 2:
            raise ValueError(f"{name} must be a (N, T) array of character ids, got {shape_str(xs.shape)}")
        return xs

    def _collect(self):
        self.grads["embed_W"][...] = self.embed.dW
        for name in ("Wx", "Wh", "b"):
            self.grads[f"lstm_{name}"][...] = self.lstm.grads[name]


class Encoder(_Part):
    """``h = TimeLSTM(TimeEmbedding(xs))[:, -1]``: ``xs (N, T)`` ids -> ``h (N, H)``, from zero states.

    ``params``: ``embed_W (V, D)``, ``lstm_Wx (D, 4H)``, ``lstm_Wh (H, 4H)``, ``lstm_b (4H,)``.
    Backward(``dh``): ``dhs = 0`` except ``dhs[:, -1] = dh``, through the LSTM and the embedding;
    fills ``grads``, returns ``None`` (ids have no gradient).
    """

    def forward(self, xs):
        hs = self.lstm.forward(self.embed.forward(self._ids("xs", xs)))
        self.hs_shape = hs.shape
        return hs[:, -1, :].copy()

    def backward(self, dh):
        require_forward(self, self.hs_shape)
        dhs = np.zeros(self.hs_shape, np.result_type(dh, self.dtype))
        dhs[:, -1, :] = dh
        self.embed.backward(self.lstm.backward(dhs))
        self._collect()
        return None


class AttentionEncoder(Encoder):
    """As ``Encoder``, but hands over every state: ``xs (N, T)`` -> ``hs (N, T, H)``.

    Backward(``dhs (N, T, H)``) through the LSTM and the embedding; returns ``None``.
    """

    def forward(self, xs):
        return self.lstm.forward(self.embed.forward(self._ids("xs", xs)))

    def backward(self, dhs):
        self.embed.backward(self.lstm.backward(dhs))
        self._collect()
        return None


class Decoder(_Part):
    """``score = TimeAffine(TimeLSTM(TimeEmbedding(xs), h_0 = h, c_0 = 0))``: ``xs (N, T_d)``, ``h (N, H)``
    -> ``score (N, T_d, V)``.

    ``params``: ``embed_W (V, D)``, ``lstm_Wx (D, 4H)``, ``lstm_Wh (H, 4H)``, ``lstm_b (4H,)``,
    ``affine_W (H, V)``, ``affine_b (V,)``. Backward(``dscore``): through the affine layer, the
    LSTM and the embedding; returns ``dh = dL/dh_0`` (the LSTM's ``dh``).
    """

    _stateful = True

    def _more_params(self):
        fan_in = self._affine_input()
        self.params["affine_W"] = _weight(self.rng, self.dtype, fan_in, self.vocab)
        self.params["affine_b"] = np.zeros(self.vocab, self.dtype)
        self.affine = TimeAffine(self.params["affine_W"], self.params["affine_b"])

    def _affine_input(self):
        return self.hidden

    def _collect(self):
        super()._collect()
        self.grads["affine_W"][...] = self.affine.dW
        self.grads["affine_b"][...] = self.affine.db

    def _start(self, h):
        self.lstm.set_state(h)

    def forward(self, xs, h):
        self._start(h)
        return self._scores(self.lstm.forward(self.embed.forward(self._ids("xs", xs))))

    def _scores(self, dec_hs):
        return self.affine.forward(dec_hs)

    def backward(self, dscore):
        dout = self.lstm.backward(self.affine.backward(dscore))
        self.embed.backward(dout)
        self._collect()
        return self.lstm.dh.copy()

    def generate(self, h, start_id, sample_size):
        """Greedy decoding from ``h (N, H)``: feed ``start_id``, then each step's argmax id; ``(N, sample_size)``."""
        self._start(h)
        return self._greedy(start_id, sample_size)

    def _greedy(self, start_id, sample_size):
        sample_size = positive_int("sample_size", sample_size)
        start = as_indices("start_id", np.asarray(start_id), self.vocab)
        if start.ndim != 0:
            raise ValueError(f"start_id must be one id, got shape {shape_str(start.shape)}")
        n = self.lstm.h.shape[0]
        ids = np.empty((n, sample_size), np.int64)
        x = np.full((n, 1), int(start), np.int64)
        for k in range(sample_size):
            score = self._step(x)
            ids[:, k] = score[:, 0, :].argmax(axis=1)
            x = ids[:, k : k + 1]
        return ids

    def _step(self, x):
        return self._scores(self.lstm.forward(self.embed.forward(x)))


class PeekyDecoder(Decoder):
    """The ``Decoder`` with ``h`` fed to every step ("peeky"): ``hr = repeat(h, T_d)``,
    ``dec_hs = TimeLSTM(concat(hr, E[xs]))``, ``score = TimeAffine(concat(hr, dec_hs))``, ``h`` first.

    ``params``: ``lstm_Wx (H + D, 4H)``, ``affine_W (2H, V)``, the others as ``Decoder``.
    Backward: ``dh = lstm.dh + sum_t (dscore_W[:, t, :H] + dlstm_in[:, t, :H])``, the ``h`` parts of
    both concatenations summed over the steps.
    """

    def _lstm_input(self):
        return self.hidden + self.wordvec

    def _affine_input(self):
        return 2 * self.hidden

    def _start(self, h):
        self.lstm.set_state(h)
        self.peek = self.lstm.h.copy()  # the h every step reads

    def _repeat(self, t):
        return np.repeat(self.peek[:, None, :], t, axis=1)

    def _step(self, x):
        out = self.embed.forward(x)
        hr = self._repeat(out.shape[1]).astype(out.dtype, copy=False)
        dec_hs = self.lstm.forward(np.concatenate([hr, out], axis=2))
        return self.affine.forward(np.concatenate([hr.astype(dec_hs.dtype, copy=False), dec_hs], axis=2))

    def forward(self, xs, h):
        self._start(h)
        return self._step(self._ids("xs", xs))

    def backward(self, dscore):
        H = self.hidden
        dout = self.affine.backward(dscore)
        dpeek, dout = dout[:, :, :H], dout[:, :, H:]
        dout = self.lstm.backward(dout)
        dpeek = dpeek + dout[:, :, :H]
        self.embed.backward(dout[:, :, H:])
        self._collect()
        return self.lstm.dh + dpeek.sum(axis=1)


class AttentionDecoder(Decoder):
    """``dec_hs = TimeLSTM(E[xs], h_0 = hs[:, -1], c_0 = 0)``, ``c = TimeAttention(hs, dec_hs, mask)``,
    ``score = TimeAffine(concat(c, dec_hs))`` (context first): ``xs (N, T_d)``, ``hs (N, T, H)`` ->
    ``(N, T_d, V)``.

    ``params``: as ``Decoder`` with ``affine_W (2H, V)``. ``forward(xs, hs, mask=None)``: the optional
    boolean ``(N, T)`` mask of the real encoder steps (``padding_mask``); the book has none.
    Backward: ``dhs = dhs_attention``, plus ``lstm.dh`` at the last step ``dhs[:, -1]``; returns ``dhs``.
    ``attention_weights`` (``(N, T_d, T)``) are those of the last ``forward`` or ``generate``.
    """

    def _more_params(self):
        super()._more_params()
        self.attention = TimeAttention()
        self.attention_weights = None  # (N, T_d, T) of the last forward or generate, for plotting
        self.enc_hs = self.mask = None  # what every step attends to, set by forward / generate
        self._record = None  # generate's per-step weights

    def _affine_input(self):
        return 2 * self.hidden

    def _start(self, hs, mask=None):
        hs = np.asarray(hs)
        if hs.ndim != 3 or hs.shape[2] != self.hidden:
            raise ValueError(f"hs must have shape (N, T, {self.hidden}), got {shape_str(hs.shape)}")
        self.enc_hs = hs
        self.mask = check_mask(mask, hs.shape[:2])
        self.lstm.set_state(hs[:, -1, :])

    def _scores(self, dec_hs):
        c = self.attention.forward(self.enc_hs, dec_hs, self.mask)
        return self.affine.forward(np.concatenate([c, dec_hs], axis=2))

    def forward(self, xs, hs, mask=None):
        self._start(hs, mask)
        score = self._scores(self.lstm.forward(self.embed.forward(self._ids("xs", xs))))
        self.attention_weights = self.attention.attention_weights
        return score

    def backward(self, dscore):
        H = self.hidden
        dout = self.affine.backward(dscore)
        dc, ddec_hs = dout[:, :, :H], dout[:, :, H:]
        denc_hs, ddec_hs_attention = self.attention.backward(dc)
        dout = self.lstm.backward(ddec_hs + ddec_hs_attention)
        self.embed.backward(dout)
        self._collect()
        denc_hs = denc_hs.copy()
        denc_hs[:, -1, :] += self.lstm.dh  # the second path: hs[:, -1] is the LSTM's initial state
        return denc_hs

    def generate(self, hs, start_id, sample_size, mask=None):
        """Greedy decoding from the encoder's ``hs``; ``attention_weights`` become ``(N, sample_size, T)``."""
        self._start(hs, mask)
        steps = []
        self._record = steps
        ids = self._greedy(start_id, sample_size)
        self._record = None
        self.attention_weights = np.concatenate(steps, axis=1)
        return ids

    def _step(self, x):
        score = super()._step(x)
        if self._record is not None:
            self._record.append(self.attention.attention_weights)
        return score


class Seq2seq:
    """``Encoder`` then ``Decoder``, trained with teacher forcing.

    ``forward(xs, ts)``: ``xs (N, T)`` question ids, ``ts (N, T_a)`` answer ids starting with the
    start symbol; ``loss = TimeSoftmaxWithLoss(Decoder(ts[:, :-1], Encoder(xs)), ts[:, 1:])``.
    ``backward(dout=1.0)``: ``dh = Decoder.backward(...)``, then ``Encoder.backward(dh)``; fills
    ``grads``. ``generate(xs, start_id, sample_size)``: ``(N, sample_size)`` greedy ids.
    ``params`` / ``grads``: the encoder's as ``encoder_<name>``, the decoder's as ``decoder_<name>``.
    """

    encoder_class: type[Encoder] = Encoder
    decoder_class: type[Decoder] = Decoder

    def __init__(self, vocab_size, wordvec_size=16, hidden_size=128, *, seed=None, rng=None, dtype=np.float64):
        self.rng = generator(seed, rng)
        self.encoder = self.encoder_class(vocab_size, wordvec_size, hidden_size, rng=self.rng, dtype=dtype)
        self.decoder = self.decoder_class(vocab_size, wordvec_size, hidden_size, rng=self.rng, dtype=dtype)
        self.loss_layer = TimeSoftmaxWithLoss()
        self.params, self.grads = {}, {}
        for prefix, part in (("encoder", self.encoder), ("decoder", self.decoder)):
            self.params.update({f"{prefix}_{k}": v for k, v in part.params.items()})
            self.grads.update({f"{prefix}_{k}": v for k, v in part.grads.items()})  # filled in place

    def _answers(self, ts):
        ts = self.decoder._ids("ts", ts)
        if ts.shape[1] < 2:
            raise ValueError(f"ts must hold the start symbol and at least one answer id, got {shape_str(ts.shape)}")
        return ts

    def _check_batch(self, xs, ts):
        if np.shape(xs)[0] != ts.shape[0]:
            raise ValueError(f"xs and ts must have the same batch size, got {np.shape(xs)[0]} and {ts.shape[0]}")

    def forward(self, xs, ts):
        ts = self._answers(ts)
        self._check_batch(xs, ts)
        h = self.encoder.forward(xs)
        return self.loss_layer.forward(self.decoder.forward(ts[:, :-1], h), ts[:, 1:])

    def backward(self, dout=1.0):
        dh = self.decoder.backward(self.loss_layer.backward(dout))
        self.encoder.backward(dh)
        return None

    def generate(self, xs, start_id, sample_size):
        """Greedy answers to the questions ``xs (N, T)``: ``(N, sample_size)`` ids (the start id not included)."""
        return self.decoder.generate(self.encoder.forward(xs), start_id, sample_size)


class PeekySeq2seq(Seq2seq):
    """``Seq2seq`` with the ``PeekyDecoder`` (``decoder_lstm_Wx (H + D, 4H)``, ``decoder_affine_W (2H, V)``)."""

    decoder_class = PeekyDecoder


class AttentionSeq2seq(Seq2seq):
    """``AttentionEncoder`` then ``AttentionDecoder``; ``forward(xs, ts, mask=None)`` and
    ``generate(xs, start_id, sample_size, mask=None)`` take the optional boolean ``(N, T)`` mask of
    the real question characters (``padding_mask``; the book has none). After ``generate``,
    ``attention_weights`` is ``(N, sample_size, T)``: row ``j`` is where output step ``j`` looked.
    """

    encoder_class = AttentionEncoder
    decoder_class = AttentionDecoder

    @property
    def attention_weights(self):
        return self.decoder.attention_weights

    def forward(self, xs, ts, mask=None):
        ts = self._answers(ts)
        self._check_batch(xs, ts)
        hs = self.encoder.forward(xs)
        return self.loss_layer.forward(self.decoder.forward(ts[:, :-1], hs, mask), ts[:, 1:])

    def generate(self, xs, start_id, sample_size, mask=None):
        return self.decoder.generate(self.encoder.forward(xs), start_id, sample_size, mask)
