"""A corrupted run (truncated copy of a DR1 file, in a temporary data store whose index
files are copies of DR1's): on_error="skip" finishes the others and reports it;
on_error="raise" names the obs id, the file and the original exception."""
import shutil

import numpy as np
import pytest

from pipeline_helpers import CRAB_RUNS, v1_makers, v1_reference

BAD_RUN = 23526


@pytest.fixture(scope="module")
def broken_store(hess_dir, tmp_path_factory):
    from gammabin.data import DataStore

    root = tmp_path_factory.mktemp("broken_store")
    (root / "data").mkdir()
    for name in ("hdu-index.fits.gz", "obs-index.fits.gz"):
        shutil.copy(hess_dir / name, root / name)
    for obs_id in CRAB_RUNS:
        name = f"hess_dl3_dr1_obs_id_{obs_id:06d}.fits.gz"
        source = (hess_dir / "data" / name).read_bytes()
        (root / "data" / name).write_bytes(source[: len(source) // 3] if obs_id == BAD_RUN else source)
    bad_file = root / "data" / f"hess_dl3_dr1_obs_id_{BAD_RUN:06d}.fits.gz"
    return DataStore.from_dir(root), bad_file


@pytest.fixture(scope="module")
def three_good_runs(hess_dir):
    """Serial stack of the three intact runs, from the untouched shared store."""
    from gammabin.data import DataStore
    from gammabin.makers import DatasetsMaker

    obs = DataStore.from_dir(hess_dir).get_observations([o for o in CRAB_RUNS if o != BAD_RUN])
    return DatasetsMaker(v1_makers()).run(v1_reference(), obs)[0]


@pytest.mark.parametrize("backend", ["serial", "dask"])
def test_skip_reports_the_bad_run_and_stacks_the_others(backend, broken_store, three_good_runs, request):
    from gammabin.makers import DatasetsMaker

    store, bad_file = broken_store
    kwargs = {"scheduler": request.getfixturevalue("dask_client")} if backend == "dask" else {}
    maker = DatasetsMaker(v1_makers(), parallel_backend=backend, on_error="skip", **kwargs)
    result = maker.run(v1_reference(), store.get_observations(CRAB_RUNS))
    report = maker.report
    assert result.report is report
    assert report.reduced == [o for o in CRAB_RUNS if o != BAD_RUN]
    assert report.skipped_obs_ids == [BAD_RUN]
    failure = report.failures[0]
    assert failure.obs_id == BAD_RUN and failure.file == str(bad_file)
    assert failure.exc_type and failure.message and "Traceback" in failure.traceback
    dataset = result[0]
    np.testing.assert_array_equal(dataset.counts.data, three_good_runs.counts.data)
    np.testing.assert_allclose(dataset.exposure.data, three_good_runs.exposure.data, rtol=1e-6)
    assert sorted(np.ravel(dataset.meta_table["OBS_ID"])) == sorted(o for o in CRAB_RUNS if o != BAD_RUN)


@pytest.mark.parametrize("backend", ["serial", "dask"])
def test_raise_names_obs_id_file_and_exception(backend, broken_store, request):
    from gammabin.makers import DatasetsMaker
    from gammabin.pipeline import RunReductionError

    store, bad_file = broken_store
    obs = store.get_observations(CRAB_RUNS)
    # what reading the truncated file raises by itself
    with pytest.raises(Exception) as original:
        obs[CRAB_RUNS.index(BAD_RUN)].events
    kwargs = {"scheduler": request.getfixturevalue("dask_client")} if backend == "dask" else {}
    maker = DatasetsMaker(v1_makers(), parallel_backend=backend, **kwargs)
    with pytest.raises(RunReductionError) as excinfo:
        maker.run(v1_reference(), store.get_observations(CRAB_RUNS))
    message = str(excinfo.value)
    assert f"observation {BAD_RUN}" in message
    assert str(bad_file) in message
    assert type(original.value).__name__ in message and str(original.value) in message
    assert "traceback on the worker" in message and "Traceback (most recent call last)" in message
    assert isinstance(excinfo.value, RuntimeError)  # gammapy raises RuntimeError for worker failures
    assert [f.obs_id for f in excinfo.value.failures] == [BAD_RUN]
