"""Helpers of the pipeline tests (a uniquely named module: several test folders have a
conftest.py): the V1 recipe and dataset comparison."""
import numpy as np

CRAB_RUNS = [23523, 23592, 23526, 23559]


def v1_reference():
    from gammabin.datasets import MapDataset
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02, axes=[axis])
    return MapDataset.create(geom, name="stacked")


def v1_makers():
    from gammabin.makers import MapDatasetMaker, SafeMaskMaker

    return [MapDatasetMaker(), SafeMaskMaker(methods=["aeff-default", "offset-max"], offset_max="3 deg")]


MEMBERS = {
    "counts": lambda d: d.counts.data,
    "exposure": lambda d: d.exposure.data,
    "background": lambda d: d.background.data,
    "mask_safe": lambda d: d.mask_safe.data,
    "psf": lambda d: d.psf.psf_map.data,
    "psf_exposure": lambda d: d.psf.exposure_map.data,
    "edisp": lambda d: d.edisp.edisp_map.data,
    "edisp_exposure": lambda d: d.edisp.exposure_map.data,
}


def assert_same_dataset(actual, expected, rtol=1e-6):
    """Counts and masks exact, float maps within ``rtol`` relative, same GTI, livetime
    and OBS_ID set."""
    for name, get in MEMBERS.items():
        a, e = np.asarray(get(actual)), np.asarray(get(expected))
        assert a.shape == e.shape, name
        if name in ("counts", "mask_safe"):
            np.testing.assert_array_equal(a, e, err_msg=name)
        else:
            np.testing.assert_allclose(a, e, rtol=rtol, atol=0, err_msg=name)
    np.testing.assert_allclose(actual.exposure.meta["livetime"].to_value("s"),
                               expected.exposure.meta["livetime"].to_value("s"), rtol=1e-12)
    np.testing.assert_allclose(actual.gti.time_sum.to_value("s"), expected.gti.time_sum.to_value("s"), rtol=1e-9)  # FITS time round trip ~1e-8 s
    assert sorted(np.ravel(actual.meta_table["OBS_ID"])) == sorted(np.ravel(expected.meta_table["OBS_ID"]))
