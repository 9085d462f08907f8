"""VGG16 and ResNet, built in full, run forward and backward on one tiny input (32x32): every
trainable Parameter gets a gradient of its own shape (no pretrained weights: nothing is downloaded)."""

import numpy as np
import pytest

import manual_bp.dezero.functions as F
from manual_bp.dezero import test_mode
from manual_bp.dezero.models import VGG16, ResNet


def _trainable(model):
    return [p for p in model.params() if p.name not in ("avg_mean", "avg_var")]


def test_vgg16_forward_and_backward_on_a_tiny_image():
    model = VGG16(num_classes=10, rng=0)
    x = np.random.default_rng(0).normal(size=(1, 3, 32, 32)).astype(np.float32)
    y = model(x)
    assert y.shape == (1, 10) and y.dtype == np.float32
    F.softmax_cross_entropy(y, np.array([3])).backward()
    params = _trainable(model)
    assert len(params) == 32  # 13 convolutions and 3 fully connected layers, W and b each
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params)
    with test_mode():  # no dropout: the same input gives the same scores
        np.testing.assert_array_equal(model(x).data, model(x).data)


def test_resnet50_forward_and_backward_on_a_tiny_batch():
    model = ResNet(50, num_classes=10, rng=0)
    x = np.random.default_rng(0).normal(size=(2, 3, 32, 32)).astype(np.float32)
    y = model(x)
    assert y.shape == (2, 10)
    F.softmax_cross_entropy(y, np.array([1, 2])).backward()
    params = _trainable(model)
    convolutions = sum(1 for p in params if p.ndim == 4)
    assert convolutions == 1 + 3 * 16 + 4  # stem, three per bottleneck, four projections
    assert all(p.grad is not None and p.grad.shape == p.shape for p in params)


def test_resnet_depth_is_checked():
    with pytest.raises(ValueError, match="n_layers must be 50, 101 or 152, got 18"):
        ResNet(18)
