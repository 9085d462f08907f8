"""Hypothesis profiles and shared fixtures.

Profiles (select with HYPOTHESIS_PROFILE=name; default: ci when $CI is set, else dev):
- dev: 30 examples, random, for quick local runs;
- ci: 100 examples, derandomized (reproducible), the CI default;
- thorough: 1000 examples (or $HYPOTHESIS_MAX_EXAMPLES), random, for long runs hunting rare cases;
  failures are kept in the example database (.hypothesis/), so a plain run replays them.
- mutmut: 10 examples, derandomized, no database, no shrinking: while mutmut has a mutant under
  test. mutmut reads only pass or fail; shrinking a failure would draw new shapes, and a new shape
  means a JAX compile, which hangs in a worker forked from a process where JAX already ran. It
  also turns on JAX's persistent compilation cache (below), for workers from a fork server.
All have deadline=None: the first example of a new shape pays a JAX compile.
"""

import os

from hypothesis import HealthCheck, Phase, settings
from threadpoolctl import threadpool_limits

# Two xdist workers share two cores: multi-threaded BLAS in each would oversubscribe them,
# and an OpenBLAS call stalls (~16 ms) whenever its second thread has no free core.
threadpool_limits(1)

if os.environ.get("HYPOTHESIS_PROFILE") == "mutmut":
    # Under process_isolation = "forkserver" (the rerun of suspicious mutants) mutmut's workers fork
    # from a fork server that has run no JAX computation, so each worker compiles the oracles it
    # calls anew: from JAX's persistent compilation cache, where the stats run left them, a load.
    # Set before JAX is imported; MANUAL_BP_JAX_CACHE as for `manual-bp verify` ("" turns it off).
    _cache = os.environ.get("MANUAL_BP_JAX_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "manual-bp", "jax"))
    if _cache:
        os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _cache)
        os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
        os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors])
settings.register_profile("dev", max_examples=30, **_common)
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "1000")), **_common)
_no_shrink = (Phase.explicit, Phase.reuse, Phase.generate)
settings.register_profile("mutmut", max_examples=10, derandomize=True, database=None, phases=_no_shrink, **_common)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)

if PROFILE == "mutmut":
    # mutmut forks one worker per mutant from the process that ran the clean tests, where JAX's
    # CPU client already has its thread pools; a fork keeps none of their threads. Work handed
    # to them never runs: an asynchronously dispatched execution (the default) hangs the worker
    # at its first read of a result. Synchronous dispatch runs every execution on the calling
    # thread. A compile still needs the pools (and so hangs): a worker about to compile, which
    # happens only on a path the clean run did not take (a failure's report, a shape or dtype
    # the mutant changed), exits at once with code 35, which mutmut reports as "suspicious"
    # instead of a timeout; rerun those under forkserver (docs/guide/campaigns.md).
    import jax
    from jax import monitoring

    jax.config.update("jax_cpu_enable_async_dispatch", False)
    _jax = {"ran": False, "forked_after_it": False}

    def _exit_before_a_compile_that_would_hang(event: str, duration: float, **kwargs) -> None:
        if _jax["forked_after_it"] and event == "/jax/core/compile/jaxpr_trace_duration":
            os._exit(35)  # traced, about to lower and compile: the step that hangs
        _jax["ran"] = True

    monitoring.register_event_duration_secs_listener(_exit_before_a_compile_that_would_hang)
    os.register_at_fork(after_in_child=lambda: _jax.update(forked_after_it=_jax["ran"]))
