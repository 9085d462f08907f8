"""The graph is freed as the book intends: no reference cycle keeps a model's graph alive, and
truncated BPTT lets each block's graph go."""

import gc
import weakref

import numpy as np

import manual_bp.dezero.functions as F
from manual_bp.dezero.models import MLP, SimpleRNN
from manual_bp.dezero.optimizers import SGD
from manual_bp.dezero.utils import unchain_backward


def _without_collector(fn):
    """Run ``fn`` with the cycle collector off: what is freed then was freed by reference counting alone."""
    gc.collect()
    gc.disable()
    try:
        return fn()
    finally:
        gc.enable()


def test_a_training_steps_graph_dies_with_its_loss_without_the_cycle_collector():
    model = MLP((5, 3), rng=0)
    optimizer = SGD().setup(model)
    x, t = np.ones((4, 2), np.float32), np.array([0, 1, 2, 0])

    def step():
        hidden = model.l0(x)
        loss = F.softmax_cross_entropy(model.l1(F.sigmoid(hidden)), t)
        model.cleargrads()
        loss.backward()
        optimizer.update()
        refs = [weakref.ref(loss), weakref.ref(hidden), weakref.ref(loss.creator), weakref.ref(hidden.creator)]
        del hidden, loss
        return [r() is None for r in refs]

    assert _without_collector(step) == [True, True, True, True]


def test_the_backward_graph_of_create_graph_is_freed_with_the_gradients():
    model = MLP((3, 2), rng=0)

    def step():
        loss = F.softmax_cross_entropy(model(np.ones((2, 2), np.float32)), np.array([0, 1]))
        loss.backward(create_graph=True)
        grad_creator = weakref.ref(model.l0.W.grad.creator)
        del loss
        model.cleargrads()
        return grad_creator() is None

    assert _without_collector(step)


def test_unchain_backward_frees_the_previous_blocks_graph():
    model = SimpleRNN(4, 1, rng=0)
    x = np.ones((1, 1), np.float32)

    def two_blocks():
        loss = F.mean_squared_error(model(x), x) + F.mean_squared_error(model(x), x)
        last_cell = weakref.ref(model.rnn.h.creator)  # the carried state keeps its creator until cut
        loss.backward()
        unchain_backward(loss)
        del loss
        model(x)  # the next block starts from the carried hidden state, now a leaf
        return last_cell() is None and model.rnn.h.creator is not None

    assert _without_collector(two_blocks)
