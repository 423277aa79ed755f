"""Every writer goes through a temporary file + ``os.replace``: a write interrupted
part-way (the astropy writer raises after writing some bytes) leaves the previous file
byte for byte, or no file, and no temporary behind."""

import numpy as np
import pytest
from astropy.io import fits

from reliability_helpers import HESS_OBS_ID, HESS_RUN, OGIP_DIR


class Interrupted(RuntimeError):
    pass


@pytest.fixture
def interrupt_writes(monkeypatch):
    """``interrupt_writes(after=n)``: the (n+1)-th HDUList.writeto writes half its bytes
    to the target and raises, as a full disk or a killed process would."""
    real = fits.HDUList.writeto
    state = {"calls": 0, "after": 0}

    def writeto(self, fileobj, *args, **kwargs):
        state["calls"] += 1
        if state["calls"] <= state["after"]:
            return real(self, fileobj, *args, **kwargs)
        import io

        buffer = io.BytesIO()
        real(self, buffer)
        with open(fileobj, "wb") as stream:
            stream.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        raise Interrupted(f"write of {fileobj} interrupted")

    def arm(after=0):
        state["after"] = after
        monkeypatch.setattr(fits.HDUList, "writeto", writeto)

    return arm


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _check_interrupted(folder, write, interrupt_writes, after=0):
    """First write to a fresh folder: nothing left; then over a good file: old bytes kept."""
    fresh = folder / "fresh"
    fresh.mkdir()
    interrupt_writes(after)
    with pytest.raises(Interrupted):
        write(fresh, True)
    assert list(fresh.iterdir()) == []
    fits.HDUList.writeto = _REAL_WRITETO  # monkeypatch restores it at teardown as well
    old = folder / "old"
    old.mkdir()
    write(old, False)
    before = _snapshot(old)
    assert before
    interrupt_writes(after)
    with pytest.raises(Interrupted):
        write(old, True)
    assert _snapshot(old) == before
    return before


_REAL_WRITETO = fits.HDUList.writeto


@pytest.fixture
def small_dataset():
    from gammabin.datasets import MapDataset
    from gammabin.maps import MapAxis, WcsGeom

    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", nbin=2)
    geom = WcsGeom.create(skydir=(83.6, 22.0), width=1, binsz=0.1, frame="icrs", axes=[energy])
    dataset = MapDataset.create(geom, name="d")
    dataset.counts.data += np.arange(dataset.counts.data.size).reshape(dataset.counts.data.shape)
    return dataset


def test_map_dataset_write(tmp_path, interrupt_writes, small_dataset):
    from gammabin.datasets import MapDataset

    _check_interrupted(tmp_path, lambda d, ow: small_dataset.write(d / "ds.fits", overwrite=ow), interrupt_writes)
    back = MapDataset.read(tmp_path / "old" / "ds.fits")
    np.testing.assert_array_equal(back.counts.data, small_dataset.counts.data)


@pytest.mark.parametrize("kind", ["wcs", "region"])
def test_map_write(tmp_path, interrupt_writes, small_dataset, kind):
    from gammabin.maps import RegionNDMap

    m = small_dataset.counts
    if kind == "region":
        m = RegionNDMap.create("icrs;circle(83.6, 22.0, 0.1)", axes=[m.geom.axes["energy"]], data=np.array([3.0, 4.0]))
    _check_interrupted(tmp_path, lambda d, ow: m.write(d / "map.fits", overwrite=ow), interrupt_writes)


def test_irf_write(data_dir, tmp_path, interrupt_writes):
    from gammabin.irf import EffectiveAreaTable2D

    aeff = EffectiveAreaTable2D.read(data_dir / HESS_RUN, hdu="AEFF")
    _check_interrupted(tmp_path, lambda d, ow: aeff.write(d / "aeff.fits", overwrite=ow), interrupt_writes)
    back = EffectiveAreaTable2D.read(tmp_path / "old" / "aeff.fits")
    np.testing.assert_array_equal(back.data, aeff.data)


def test_observation_write(hess_dir, tmp_path, interrupt_writes):
    from gammabin.data import DataStore, Observation

    obs = DataStore.from_dir(hess_dir).obs(HESS_OBS_ID)
    _check_interrupted(tmp_path, lambda d, ow: obs.write(d / "obs.fits.gz", overwrite=ow), interrupt_writes)
    assert len(Observation.read(tmp_path / "old" / "obs.fits.gz").events.table) == 7613


@pytest.mark.parametrize("after", [0, 1, 3], ids=["pha", "arf", "rmf"])
def test_ogip_write_is_atomic_as_a_set(data_dir, tmp_path, interrupt_writes, after):
    """PHA, ARF, BKG and RMF name each other: an interruption at any of them keeps the old set."""
    from gammabin.datasets import SpectrumDatasetOnOff

    dataset = SpectrumDatasetOnOff.read(data_dir / OGIP_DIR / "pha_obs23523.fits")
    before = _check_interrupted(tmp_path, lambda d, ow: dataset.write(d / "pha_obs1.fits", overwrite=ow, format="ogip"),
                                interrupt_writes, after=after)
    assert len(before) == 4 and "pha_obs1.fits" in before  # PHA, ARF, BKG, RMF
    back = SpectrumDatasetOnOff.read(tmp_path / "old" / "pha_obs1.fits")
    np.testing.assert_array_equal(back.counts.data, dataset.counts.data)


def test_pipeline_per_run_files(hess_dir, tmp_path, interrupt_writes):
    """A reduction killed while writing its second run file leaves the first run's file
    complete and no partial file; the rerun reuses the first and finishes."""
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.makers import DatasetsMaker, MapDatasetMaker
    from gammabin.maps import MapAxis, WcsGeom

    runs = [23523, 23526]
    axis = MapAxis.from_energy_bounds("1 TeV", "10 TeV", nbin=2)
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.1, axes=[axis])
    observations = DataStore.from_dir(hess_dir).get_observations(runs)
    out = tmp_path / "runs"

    def run():
        maker = DatasetsMaker([MapDatasetMaker(selection=["counts", "exposure"])], output_dir=out)
        return maker.run(MapDataset.create(geom, name="stacked"), observations), maker.report

    interrupt_writes(after=1)
    with pytest.raises(Exception) as info:
        run()
    assert "interrupted" in str(info.value)
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 1 and files[0].startswith("obs_23523_")  # no partial second file, no temporary
    first = MapDataset.read(out / files[0])
    fits.HDUList.writeto = _REAL_WRITETO
    result, report = run()
    assert report.reused == [23523] and report.reduced == [23526]
    assert len(list(out.iterdir())) == 2
    assert result[0].counts.data.sum() >= first.counts.data.sum() > 0
