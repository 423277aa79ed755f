"""Fixtures of the pipeline tests: the V1 recipe (4 H.E.S.S. Crab runs, 5° map,
6° cutouts, MapDatasetMaker + SafeMaskMaker), its serial DatasetsMaker result, a
2-worker Dask LocalCluster (processes), and comparison helpers."""
import logging

import pytest

from pipeline_helpers import CRAB_RUNS, v1_makers, v1_reference


@pytest.fixture(scope="session")
def crab_store(hess_dir):
    from gammabin.data import DataStore

    return DataStore.from_dir(hess_dir)


@pytest.fixture(scope="session")
def crab_obs(crab_store):
    return crab_store.get_observations(CRAB_RUNS)


@pytest.fixture(scope="session")
def serial_stacked(crab_obs):
    from gammabin.makers import DatasetsMaker

    maker = DatasetsMaker(v1_makers(), parallel_backend="serial")
    result = maker.run(v1_reference(), crab_obs)
    return result[0], maker.report


@pytest.fixture(scope="session")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=logging.WARNING)
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()
