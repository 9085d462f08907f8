"""Training: the seeded ``Trainer`` loop and atomic parameter checkpoints.

- ``trainer``: ``Trainer``, ``History``, ``TrainingDiverged``;
- ``checkpoint``: ``save_params``, ``load_params``, ``assign_params``;
- ``clipping``: ``clip_grads``, ``global_norm``; ``perplexity``: ``eval_perplexity`` (the sequel).
"""

from manual_bp.training.checkpoint import assign_params, load_params, save_params
from manual_bp.training.clipping import clip_grads, global_norm
from manual_bp.training.perplexity import eval_perplexity
from manual_bp.training.trainer import History, Trainer, TrainingDiverged

__all__ = [
    "History",
    "Trainer",
    "TrainingDiverged",
    "assign_params",
    "clip_grads",
    "eval_perplexity",
    "global_norm",
    "load_params",
    "save_params",
]
