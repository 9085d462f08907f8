"""Pure JAX losses of the book's networks (same stems as ``manual_bp.networks``), built from
``oracle.layers``; the networks' hand-written gradients are tested against ``jax.grad`` of them.

- ``two_layer``: ``two_layer_net`` and its gradient;
- ``deep``: ``multi_layer_net``, ``simple_conv_net`` and their gradients.
"""
