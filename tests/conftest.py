"""Hypothesis profiles and shared fixtures.

Profiles (select with HYPOTHESIS_PROFILE=name; default: ci when $CI is set, else dev):
- dev: 30 examples, random, for quick local runs;
- ci: 100 examples, derandomized (reproducible), the CI default;
- thorough: 1000 examples (or $HYPOTHESIS_MAX_EXAMPLES), random, for long runs hunting rare cases;
  failures are kept in the example database (.hypothesis/), so a plain run replays them.
- mutmut: 10 examples, derandomized, no database: while mutmut has a mutant under test. It also
  turns on JAX's persistent compilation cache (below).
All have deadline=None: the first example of a new shape pays a JAX compile.
"""

import os

from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

# Two xdist workers share two cores: multi-threaded BLAS in each would oversubscribe them,
# and an OpenBLAS call stalls (~16 ms) whenever its second thread has no free core.
threadpool_limits(1)

if os.environ.get("HYPOTHESIS_PROFILE") == "mutmut":
    # mutmut's workers fork from a fork server that has run no JAX computation (a process forked
    # after one hangs in its first JAX call), so each worker compiles the oracles it calls anew:
    # from JAX's persistent compilation cache, where the stats run left them, that is a load.
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
settings.register_profile("mutmut", max_examples=10, derandomize=True, database=None, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
