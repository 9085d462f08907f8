"""Manual vs automatic vs numerical differentiation, side by side (``manual-bp compare``).

- ``directional``: random directional derivatives by central differences (the default numerical
  check: two forward passes per direction, whatever the size);
- ``gradient_check``: one catalog layer's three gradients and their errors;
- ``network_check``: the same for the book's ``TwoLayerNet``, with its kink report;
- ``fd_plot``: the finite-difference error against the step size (the V curve).

Imports ``oracle.verify``, ``oracle.networks`` and ``manual_bp`` below it, never the command line.
"""
