"""The process-pool backend: per-run tasks (file references) in spawned workers,
stacked in the parent in observation order — bit-identical to the serial loop."""
import os

import numpy as np
import pytest

from pipeline_helpers import CRAB_RUNS, assert_same_dataset, v1_makers, v1_reference


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a pool needs two CPUs (else the serial loop runs)")
def test_multiprocessing_equals_serial_bit_for_bit(crab_obs, serial_stacked):
    from gammabin.makers import DatasetsMaker

    maker = DatasetsMaker(v1_makers(), n_jobs=2)  # parallel_backend None + n_jobs > 1 → multiprocessing
    dataset = maker.run(v1_reference(), crab_obs)[0]
    assert maker.report.backend == "multiprocessing" and maker.report.n_workers == 2
    assert maker.report.reduced == CRAB_RUNS
    assert_same_dataset(dataset, serial_stacked[0], rtol=0)
    assert list(np.ravel(dataset.meta_table["OBS_ID"])) == CRAB_RUNS


def test_default_is_the_serial_loop():
    from gammabin.makers import DatasetsMaker

    assert DatasetsMaker(v1_makers())._backend_and_workers(4) == ("serial", 1)
    assert DatasetsMaker(v1_makers(), n_jobs=8)._backend_and_workers(3) == ("multiprocessing", min(3, os.cpu_count()))
