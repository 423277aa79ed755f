"""DatasetsMaker on Dask (2-worker LocalCluster, processes) against the serial loop and
gammapy 2.1's V1 stacked dataset (shared/reference/V1/stacked.fits.gz)."""
import pickle

import numpy as np
import pytest
from astropy.io import fits

from pipeline_helpers import CRAB_RUNS, assert_same_dataset, v1_makers, v1_reference


def _rtol_per_bin(actual, reference, rtol, what):
    """shared/reference/README.md rule: |a − r| ≤ rtol·(|r| + 1e-3·max|r|)."""
    a, r = np.asarray(actual, float), np.asarray(reference, float)
    assert a.shape == r.shape, what
    assert np.all(np.abs(a - r) <= rtol * (np.abs(r) + 1e-3 * np.abs(r).max())), what


def _irf_close(actual, reference, what):
    a, r = np.asarray(actual, float), np.asarray(reference, float)
    np.testing.assert_allclose(a.sum(), r.sum(), rtol=1e-2, err_msg=what)
    big = np.abs(r) > 1e-3 * np.abs(r).max()
    np.testing.assert_allclose(a[big], r[big], rtol=1e-2, err_msg=what)


@pytest.fixture(scope="module")
def dask_stacked(crab_obs, dask_client):
    from gammabin.makers import DatasetsMaker

    maker = DatasetsMaker(v1_makers(), parallel_backend="dask", scheduler=dask_client, runs_per_task=1)
    result = maker.run(v1_reference(), crab_obs)  # one run per task: the whole stack is a tree
    return result[0], maker.report


def test_dask_equals_serial(dask_stacked, serial_stacked):
    dataset, report = dask_stacked
    assert report.backend == "dask" and report.n_workers == 2
    assert report.reduced == CRAB_RUNS and not report.skipped and not report.failures
    assert_same_dataset(dataset, serial_stacked[0], rtol=1e-6)
    assert list(np.ravel(dataset.meta_table["OBS_ID"])) == CRAB_RUNS  # tree keeps observation order


def test_dask_equals_gammapy_v1(dask_stacked, reference_dir):
    dataset = dask_stacked[0]
    assert dataset.counts.data.sum() == 7972  # spec §6 check values
    assert int(dataset.mask_safe.data.sum()) == 687214
    with fits.open(reference_dir / "V1" / "stacked.fits.gz") as ref:
        assert np.max(np.abs(dataset.counts.data - ref["COUNTS"].data)) <= 0.01
        np.testing.assert_array_equal(dataset.mask_safe.data, ref["MASK_SAFE"].data.astype(bool))
        _rtol_per_bin(dataset.exposure.quantity.to_value("m2 s"), ref["EXPOSURE"].data, 1e-4, "exposure")
        _rtol_per_bin(dataset.background.data, ref["BACKGROUND"].data, 1e-3, "background")
        _irf_close(dataset.psf.psf_map.quantity.to_value("sr-1"), ref["PSF"].data, "psf")
        _irf_close(dataset.edisp.edisp_map.data, ref["EDISP"].data, "edisp")
        _irf_close(dataset.edisp.exposure_map.quantity.to_value("m2 s"), ref["EDISP_EXPOSURE"].data, "edisp exp")


def test_tree_is_independent_of_workers_and_completion_order(crab_obs, dask_stacked):
    """The same balanced tree computed in this process (one worker, leaves finished in a
    shuffled order) gives the Dask result bit for bit."""
    from gammabin.makers import DatasetsMaker
    from gammabin.pipeline import combine_partials, reduce_run, tree_top
    from gammabin.pipeline.backends import PARENT_TOP_WIDTH
    from gammabin.pipeline.resume import configuration_key
    from gammabin.pipeline.run_task import ReductionContext

    reference = v1_reference()
    makers = v1_makers()
    dm = DatasetsMaker(makers)
    width = dm._cutout_width(reference, None)
    context = ReductionContext(makers=tuple(makers), geoms=reference.geoms, dataset_class=type(reference),
                               cutout_width=width, config_key=configuration_key(makers, reference.geoms, type(reference), width, "trim"))
    tasks = dm._tasks(crab_obs, None, in_process=False)
    leaves = {}
    for index in np.random.default_rng(3).permutation(len(tasks)):  # completion order
        leaves[index] = reduce_run(tasks[index], context)
    top = tree_top([leaves[i] for i in range(len(tasks))], lambda a, b: combine_partials(a, b, context), PARENT_TOP_WIDTH)
    assert [len(partial.pieces) for partial in top] == [1, 1]  # two runs each, overlapping: one sum each
    for partial in top:  # the parent stacks the top level in order
        reference.stack(partial.datasets[0])
    dask_result = dask_stacked[0]
    assert_same_dataset(reference, dask_result, rtol=0)


@pytest.mark.parametrize("runs_per_task, reverse", [(1, True), (2, False), (4, False)])
def test_order_and_chunking_change_only_round_off(runs_per_task, reverse, crab_obs, dask_client, serial_stacked):
    from gammabin.makers import DatasetsMaker

    maker = DatasetsMaker(v1_makers(), parallel_backend="dask", scheduler=dask_client, runs_per_task=runs_per_task)
    order = list(crab_obs)[::-1] if reverse else list(crab_obs)
    dataset = maker.run(v1_reference(), order)[0]
    assert list(np.ravel(dataset.meta_table["OBS_ID"])) == (CRAB_RUNS[::-1] if reverse else CRAB_RUNS)
    assert_same_dataset(dataset, serial_stacked[0], rtol=1e-6)


def test_unstacked_results_in_observation_order(crab_obs, dask_client, serial_stacked):
    from gammabin.makers import DatasetsMaker

    maker = DatasetsMaker(v1_makers(), stack_datasets=False, parallel_backend="dask", scheduler=dask_client)
    datasets = maker.run(v1_reference(), crab_obs)
    assert [int(d.meta_table["OBS_ID"][0]) for d in datasets] == CRAB_RUNS
    assert sum(float(d.counts.data[d.mask_safe.data].sum()) for d in datasets) == 7972
    assert datasets[0].counts.geom.data_shape[-2:] == (250, 250)  # 6° cutout trimmed to the 5° map


def test_task_payload_is_file_references_only(crab_obs):
    from gammabin.makers import DatasetsMaker

    tasks = DatasetsMaker(v1_makers())._tasks(crab_obs, None, in_process=False)
    sizes = [len(pickle.dumps(task)) for task in tasks]
    assert max(sizes) <= 10_000
    assert all(task.observation is None and task.reference.obs_id == obs_id for task, obs_id in zip(tasks, CRAB_RUNS))
    # the reference rebuilds the observation on the worker: same pointing and events
    obs = tasks[0].reference.load()
    assert len(obs.events.table) == len(crab_obs[0].events.table)


def test_uses_the_current_client_and_leaves_it_open(crab_obs, dask_client):
    from gammabin.makers import DatasetsMaker

    with dask_client.as_current():
        maker = DatasetsMaker(v1_makers(), parallel_backend="dask")
        dataset = maker.run(v1_reference(), crab_obs[:2])[0]
    assert maker.report.n_workers == 2 and maker.report.reduced == CRAB_RUNS[:2]
    assert dask_client.status == "running"
    assert int(np.ravel(dataset.meta_table["OBS_ID"]).size) == 2


@pytest.mark.parametrize("n_leaves, width, sizes", [(10, 2, [5, 5]), (7, 2, [3, 4]), (5, 1, [5]), (3, 4, [1, 1, 1]),
                                                    (9, 4, [2, 2, 2, 3])])
def test_tree_top_levels_cover_the_leaves_in_order(n_leaves, width, sizes):
    """``tree_top`` stops at the first level of at most ``width`` nodes; each node
    covers a contiguous run of leaves, and the shape depends on the count only."""
    from gammabin.pipeline import tree_reduce, tree_top

    top = tree_top([[i] for i in range(n_leaves)], lambda a, b: a + b, width)
    assert [len(node) for node in top] == sizes
    assert sum(top, []) == list(range(n_leaves))
    pairs = []
    tree_top([[i] for i in range(4)], lambda a, b: pairs.append((a, b)) or a + b, 1)
    assert pairs == [([0], [1]), ([2], [3]), ([0, 1], [2, 3])]  # neighbours first, by halving
    assert tree_reduce([[i] for i in range(n_leaves)], lambda a, b: a + b) == list(range(n_leaves))
    assert tree_top([], lambda a, b: a + b, 2) == [] and tree_reduce([], lambda a, b: a + b) is None


def test_chunks_prefer_contiguous_blocks_of_workers(dask_client):
    from gammabin.pipeline.backends import _contiguous_homes

    workers = sorted(dask_client.scheduler_info()["workers"])
    homes = _contiguous_homes(dask_client, 5)
    assert [h[0] for h in homes] == [workers[0]] * 2 + [workers[1]] * 3  # the tree's two halves


def test_workers_get_their_allocator_tuned(dask_client):
    """dask starts workers with MALLOC_TRIM_THRESHOLD_=65536; the gammabin worker plugin
    (registered by every Dask reduction) raises glibc's thresholds again."""
    import sys

    from gammabin.pipeline.dask_worker import GammabinWorkerSetup, tune_allocator

    assert tune_allocator({}) is False  # nothing pinned: glibc's adaptive default stays
    assert tune_allocator({"MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}) is False
    dask_client.register_plugin(GammabinWorkerSetup())
    pinned = dask_client.run(lambda: __import__("os").environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert set(pinned.values()) == {"65536"}
    tuned = dask_client.run(tune_allocator)
    if sys.platform.startswith("linux") and __import__("platform").libc_ver()[0] == "glibc":
        assert set(tuned.values()) == {True}
