"""DatasetsMaker fires the observer hooks once per run and runs every maker through
``gammabin_run_maker`` (a wrapper plugin sees each call and may replace the result);
configuration and registry integration."""
import numpy as np
import pytest

from pipeline_helpers import CRAB_RUNS, v1_makers, v1_reference


@pytest.fixture
def recorder():
    import gammabin
    from gammabin.plugins import register, unregister

    class Recorder:
        def __init__(self):
            self.loaded, self.made, self.ran = [], [], []

        @gammabin.hookimpl
        def gammabin_observation_loaded(self, observation):
            self.loaded.append(observation.obs_id)

        @gammabin.hookimpl
        def gammabin_dataset_made(self, dataset, observation, makers):
            self.made.append((observation.obs_id, int(dataset.meta_table["OBS_ID"][0]), len(makers)))

        @gammabin.hookimpl(wrapper=True)
        def gammabin_run_maker(self, maker, dataset, observation):
            result = yield
            self.ran.append((observation.obs_id, maker.tag))
            return result

    rec = Recorder()
    name = register(rec, name="pipeline-recorder")
    yield rec
    unregister(name)


def test_hooks_fire_per_run_and_per_maker(recorder, crab_obs, serial_stacked):
    from gammabin.makers import DatasetsMaker

    dataset = DatasetsMaker(v1_makers(), parallel_backend="serial").run(v1_reference(), crab_obs)[0]
    assert recorder.loaded == CRAB_RUNS
    assert recorder.made == [(o, o, 2) for o in CRAB_RUNS]
    assert recorder.ran == [(o, tag) for o in CRAB_RUNS for tag in ("MapDatasetMaker", "SafeMaskMaker")]
    np.testing.assert_array_equal(dataset.counts.data, serial_stacked[0].counts.data)


def test_run_maker_hook_can_replace_a_maker(crab_obs):
    import gammabin
    from gammabin.makers import DatasetsMaker
    from gammabin.plugins import register, unregister

    class NoSafeMask:  # replaces SafeMaskMaker by "everything safe"
        @gammabin.hookimpl(tryfirst=True)
        def gammabin_run_maker(self, maker, dataset, observation):
            if maker.tag == "SafeMaskMaker":
                dataset.mask_safe.data[...] = True
                return dataset
            return None

    name = register(NoSafeMask(), name="no-safe-mask")
    try:
        dataset = DatasetsMaker(v1_makers(), parallel_backend="serial").run(v1_reference(), crab_obs[:1])[0]
    finally:
        unregister(name)
    assert dataset.mask_safe.data.all()


def test_registry_config_and_validation(crab_obs):
    from gammabin.datasets import MapDataset
    from gammabin.makers import MAKER_REGISTRY, DatasetsMaker, maker_from_dict
    from gammabin.pipeline import DatasetsMaker as CoreDatasetsMaker

    assert DatasetsMaker is CoreDatasetsMaker and MAKER_REGISTRY.get_cls("DatasetsMaker") is CoreDatasetsMaker
    maker = maker_from_dict({"tag": "DatasetsMaker", "makers": [{"tag": "MapDatasetMaker"}], "n_jobs": 2,
                             "parallel_backend": "dask", "cutout_width": "4 deg", "on_error": "skip"})
    assert maker.makers[0].tag == "MapDatasetMaker" and maker.cutout_width.to_value("deg") == 4.0
    with pytest.raises(ValueError, match="parallel_backend"):
        DatasetsMaker([], parallel_backend="threads")
    with pytest.raises(ValueError, match="on_error"):
        DatasetsMaker([], on_error="ignore")
    with pytest.raises(TypeError, match="MapDataset"):
        DatasetsMaker(v1_makers()).run(object(), crab_obs)
    assert isinstance(v1_reference(), MapDataset)
