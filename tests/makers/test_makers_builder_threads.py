"""The builders of one run on a thread pool (makers/builders/threads.py): the same bits
as the serial loop, results in order, the serial loop's first error."""
import numpy as np
import pytest


def _run_crab(hess_store, obs_id, threads, monkeypatch):
    from gammabin.datasets import MapDataset
    from gammabin.makers import MapDatasetMaker
    from gammabin.maps import MapAxis, WcsGeom

    monkeypatch.setenv("GAMMABIN_THREADS", str(threads))
    axis = MapAxis.from_energy_bounds(0.5, 50, nbin=6, unit="TeV")
    axis_true = MapAxis.from_energy_bounds(0.3, 80, nbin=8, unit="TeV", name="energy_true")
    geom = WcsGeom.create(skydir=(83.63, 22.01), axes=[axis], width=3, binsz=0.04)
    empty = MapDataset.create(geom, energy_axis_true=axis_true, binsz_irf=0.5)
    # a fresh observation each time: its lazy loading happens under the threaded path too
    return MapDatasetMaker().run(empty, hess_store.obs(obs_id))


@pytest.mark.parametrize("obs_id", [23523, 23592])
def test_threaded_builders_give_the_serial_bits(hess_store, obs_id, monkeypatch):
    serial = _run_crab(hess_store, obs_id, 1, monkeypatch)
    threaded = _run_crab(hess_store, obs_id, 2, monkeypatch)
    pairs = [(serial.counts, threaded.counts), (serial.exposure, threaded.exposure),
             (serial.background, threaded.background),
             (serial.psf.psf_map, threaded.psf.psf_map), (serial.psf.exposure_map, threaded.psf.exposure_map),
             (serial.edisp.edisp_map, threaded.edisp.edisp_map)]
    for a, b in pairs:
        assert a.data.dtype == b.data.dtype
        assert np.array_equal(a.data, b.data)
    assert serial.counts.data.sum() > 100  # a real run, not empty maps
    assert serial.background.data.sum() > 1


def test_run_tasks_orders_results_and_raises_the_first_error(monkeypatch):
    from gammabin.makers.builders.threads import builder_threads, run_tasks

    monkeypatch.setenv("GAMMABIN_THREADS", "2")
    assert builder_threads() == 2
    ran = []

    def task(i, fail=False):
        def run():
            ran.append(i)
            if fail:
                raise KeyError(i)
            return i * i
        return run

    assert run_tasks([task(i) for i in range(5)], order=[4, 3, 2, 1, 0]) == [0, 1, 4, 9, 16]
    ran.clear()
    with pytest.raises(KeyError) as info:
        run_tasks([task(0), task(1, fail=True), task(2), task(3, fail=True)], order=[3, 2, 1, 0])
    assert info.value.args == (1,)  # the first failing task in list order, as the serial loop
    assert sorted(ran) == [0, 1, 2, 3]


def test_thread_count_from_environment(monkeypatch):
    from gammabin.makers.builders.threads import builder_threads, run_tasks

    monkeypatch.setenv("GAMMABIN_THREADS", "0")
    assert builder_threads() == 1
    assert run_tasks([lambda: 1, lambda: 2]) == [1, 2]
    monkeypatch.setenv("GAMMABIN_THREADS", "two")
    with pytest.raises(ValueError, match="GAMMABIN_THREADS"):
        builder_threads()


def test_contract_on_a_strided_table_equals_take():
    from gammabin.makers.builders.irf_grid import contract

    rng = np.random.default_rng(3)
    table = rng.random((6, 30, 50)).transpose(2, 1, 0)  # file-order IRF: a strided view
    corners = [(np.array([0, 7, 49, 3]), np.array([0.25, 0.5, 1.0, 0.0])),
               (np.array([1, 8, 48, 4]), np.array([0.75, 0.5, 0.0, 1.0]))]
    for axis in range(3):
        idx = [(c[0] % table.shape[axis], c[1]) for c in corners]
        expected = contract(np.ascontiguousarray(table), axis, idx)
        actual = contract(table, axis, idx)
        assert actual.flags.c_contiguous
        assert np.array_equal(actual, expected)


def test_nested_run_tasks_do_not_deadlock(monkeypatch):
    from gammabin.makers.builders.threads import run_tasks

    monkeypatch.setenv("GAMMABIN_THREADS", "2")

    def outer(k):
        return lambda: sum(run_tasks([lambda i=i: i + k for i in range(3)]))

    assert run_tasks([outer(k) for k in range(4)]) == [3 + 3 * k for k in range(4)]


def test_large_event_lists_binned_in_two_halves_give_the_serial_bits(data_dir, monkeypatch):
    """CTA-sized event lists (≥ 5·10⁴ rows) are binned by both builder threads, each on
    half of the events; the integer histograms add up to the serial loop's map."""
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.makers import MapDatasetMaker
    from gammabin.makers.builders import counts as counts_module
    from gammabin.makers.builders import dataset_step
    from gammabin.maps import MapAxis, WcsGeom

    store = DataStore.from_dir(data_dir / "cta-1dc" / "index" / "gps")
    axis = MapAxis.from_energy_bounds(0.1, 100, nbin=10, unit="TeV")
    geom = WcsGeom.create(skydir=(0, 0), frame="galactic", width=5, binsz=0.05, axes=[axis])
    maps = {}
    split_calls = []
    real_parts = counts_module.counts_parts
    monkeypatch.setattr(dataset_step, "counts_parts", lambda *a: split_calls.append(a[2]) or real_parts(*a))
    for threads in (1, 2):
        monkeypatch.setenv("GAMMABIN_THREADS", str(threads))
        obs = store.obs(110380)
        maps[threads] = MapDatasetMaker(selection=["counts"]).run(MapDataset.create(geom, binsz_irf=0.5), obs).counts
    assert split_calls == [2]  # the threaded run took the split path, the serial one did not
    assert maps[2].data.dtype == np.float32 and np.array_equal(maps[1].data, maps[2].data)
    assert maps[1].data.sum() > 10_000
    events = store.obs(110380).events
    parts, assemble = counts_module.counts_parts(events, geom, 3)
    assert np.array_equal(assemble([p() for p in parts]), counts_module.counts_values(events, geom))
