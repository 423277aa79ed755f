"""The allocator thresholds fixed when gammabin.makers is imported (gammabin.allocator),
each case in a fresh interpreter."""
import json
import os
import platform
import subprocess
import sys

import pytest

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

# allocate, touch and free a 2 MB array five times (below numpy's huge-page size): page faults per round
_ROUNDS = """
import resource
import numpy as np
faults = []
for _ in range(5):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    a = np.ones(2**18)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    del a
"""


def _probe(code, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GAMMABIN_MALLOC"))}
    environ.update(env)
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("env, expected", [
    ({}, GLIBC),
    ({"GAMMABIN_MALLOC_TUNING": "0"}, False),
    ({"MALLOC_TRIM_THRESHOLD_": "65536"}, False),  # the user's (or Dask's) own setting wins
    ({"MALLOC_MMAP_THRESHOLD_": "131072"}, False),
])
def test_tune_process_follows_the_environment(env, expected):
    code = ("import json; from gammabin.allocator import tune_process; "
            "first = tune_process(); print(json.dumps([first, tune_process()]))")
    assert _probe(code, **env) == [expected, expected]


@pytest.mark.skipif(not GLIBC, reason="glibc allocator only")
def test_tuned_process_reuses_freed_arrays_instead_of_faulting_them_in_again():
    tuned = _probe("from gammabin.allocator import tune_process; tune_process()" + _ROUNDS
                   + "import json; print(json.dumps(faults))")
    default = _probe(_ROUNDS + "import json; print(json.dumps(faults))")
    pages = 2**21 // 4096
    assert default[1] > pages // 2  # glibc's default: the second array is new memory again
    assert max(tuned[1:]) < pages // 20  # tuned: the first one's pages are reused


def test_importing_the_makers_tunes_the_process():
    code = """
import json
import gammabin.allocator as allocator
before = allocator._tuned
import gammabin.makers
print(json.dumps([before, allocator._tuned]))
"""
    assert _probe(code) == [None, GLIBC]
    assert _probe(code, GAMMABIN_MALLOC_TUNING="off") == [None, False]
