"""SpectrumDatasetOnOff as a MapDatasetOnOff on a RegionGeom: copy (regression: it raised
AttributeError through the background setter), Datasets.copy, and stacking of runs whose
OFF maps live on different OFF-region geometries (hand-computed stacking rule, spec §1.8)."""
import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from regions import CircleSkyRegion

from gammabin.datasets import Datasets, MapDatasetOnOff, SpectrumDataset, SpectrumDatasetOnOff
from gammabin.maps import Map, MapAxis, RegionGeom, WcsGeom

ENERGY = MapAxis.from_energy_bounds(1, 10, 3, "TeV")
ON = RegionGeom.create(CircleSkyRegion(SkyCoord(83.63, 22.01, unit="deg"), 0.1 * u.deg), axes=[ENERGY])


def _off_geom(dlon):
    return RegionGeom.create(CircleSkyRegion(SkyCoord(83.63 + dlon, 22.01, unit="deg"), 0.1 * u.deg), axes=[ENERGY])


def _spectrum_onoff(name, on, off, acc_off, off_geom, safe=(True, True, True)):
    def region_map(geom, values, dtype="float32"):
        return Map.from_geom(geom, data=np.asarray(values, dtype=dtype).reshape(geom.data_shape))

    return SpectrumDatasetOnOff(
        counts=region_map(ON, on), counts_off=region_map(off_geom, off),
        acceptance=region_map(ON, [1, 1, 1]), acceptance_off=region_map(off_geom, acc_off),
        mask_safe=region_map(ON, safe, dtype=bool), name=name,
    )


def test_class_hierarchy():
    assert issubclass(SpectrumDatasetOnOff, MapDatasetOnOff)
    assert issubclass(SpectrumDatasetOnOff, SpectrumDataset)


def test_spectrum_onoff_copy_is_deep_and_renamed():
    ds = _spectrum_onoff("a", [5, 3, 1], [10, 8, 0], [2, 4, 4], _off_geom(1.0))
    copy = ds.copy(name="b")
    assert type(copy) is SpectrumDatasetOnOff and copy.name == "b"
    copy.counts_off.data[...] = 0
    copy.acceptance_off.data[...] = 7
    assert ds.counts_off.data.ravel().tolist() == [10, 8, 0]
    assert ds.acceptance_off.data.ravel().tolist() == [2, 4, 4]
    # alpha and background are derived from the copied members
    assert np.allclose(ds.copy().background.data.ravel(), [5.0, 2.0, 0.0])
    assert ds.copy().name != ds.name


def test_datasets_copy_with_onoff_spectra():
    datasets = Datasets([_spectrum_onoff("a", [5, 3, 1], [10, 8, 0], [2, 4, 4], _off_geom(1.0))])
    copies = datasets.copy()
    assert copies[0].info_dict()["counts_off"] == 18
    assert copies[0].info_dict()["background"] == 7.0


def test_map_onoff_copy():
    geom = WcsGeom.create(skydir=(0, 0), npix=3, binsz=0.1, axes=[ENERGY])
    ones = np.ones(geom.data_shape, dtype="float32")
    ds = MapDatasetOnOff(
        counts=Map.from_geom(geom, data=3 * ones), counts_off=Map.from_geom(geom, data=6 * ones),
        acceptance=Map.from_geom(geom, data=ones), acceptance_off=Map.from_geom(geom, data=3 * ones), name="m",
    )
    copy = ds.copy(name="n")
    copy.counts_off.data[...] = 0
    assert copy.name == "n" and float(ds.counts_off.data.sum()) == 6 * ones.size
    assert np.allclose(ds.copy().background.data, 2.0)


def test_stack_runs_with_own_off_geometries():
    a = _spectrum_onoff("a", [5, 3, 1], [10, 8, 0], [2, 4, 4], _off_geom(1.0))
    b = _spectrum_onoff("b", [4, 2, 2], [6, 0, 0], [3, 3, 3], _off_geom(-1.0), safe=(True, True, False))
    a.stack(b)
    # counts and OFF counts add with b's safe mask; alphas: a = 1/2, 1/4, 1/4; b = 1/3
    assert a.counts.data.ravel().tolist() == [9, 5, 1]
    assert a.counts_off.data.ravel().tolist() == [16, 8, 0]
    assert a.acceptance.data.ravel().tolist() == [2, 2, 1]
    alpha_off = np.array([10 / 2 + 6 / 3, 8 / 4, 0.0])  # Σ α·n_off per bin
    mean_alpha = alpha_off.sum() / 24
    expected = [2 * 16 / alpha_off[0], 2 * 8 / alpha_off[1], 1 / mean_alpha]  # OFF = 0 → A / mean α
    assert np.allclose(a.acceptance_off.data.ravel(), expected, rtol=1e-6)
    assert a.counts_off.geom == ON  # stacked OFF maps live on the ON geometry
