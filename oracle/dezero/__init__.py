"""Oracles of the third book's Functions: for each module of ``manual_bp/dezero/functions`` (and
the core's arithmetic) a module of the same stem holding pure, forward-only JAX functions,
named as the Function's helper (``F.tanh`` -> ``tanh``), taking the same arguments (inputs,
then keyword-only hyperparameters). Their first and second derivatives come from ``jax.vjp``
alone; they reuse ``oracle.layers`` where the mathematics is the same.
"""
