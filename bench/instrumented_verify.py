"""``manual-bp verify`` with JAX's compile events logged: run by ``bench/verify_speed.py``, not by hand.

``python bench/instrumented_verify.py verify ...`` (with the checkout to measure first on
``PYTHONPATH``) runs the command as ``python -m oracle.cli`` does, after registering
``jax.monitoring`` listeners that append one line per event (pid, event, seconds) to the file
named by ``$VERIFY_SPEED_LOG``. Spawned workers import this file again as their main module,
so their events are logged too.
"""

import os
import sys

from jax import monitoring

LOG = os.environ.get("VERIFY_SPEED_LOG", "")


def _write(event: str, seconds: float) -> None:
    if LOG:
        with open(LOG, "a") as log:
            log.write(f"{os.getpid()} {event} {seconds:.6f}\n")


monitoring.register_event_duration_secs_listener(lambda event, seconds, **_: _write(event, seconds))
monitoring.register_event_listener(lambda event, **_: _write(event, 0.0))

if __name__ == "__main__":
    from oracle.cli.main import main

    sys.exit(main())
