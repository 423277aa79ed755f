"""Reading gammapy-written dataset files, figures against ``summary.json``, and a
gammabin write having gammapy's HDU/column/header layout (spec §1.7)."""
import json

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits

from gammabin.datasets import MapDataset
from gammabin.irf import EDispKernelMap, PSFMap

FILES = [
    ("V1", "stacked", "figures"),
    ("V1", "obs_23523", "file_figures"),
    ("V1", "obs_23559", "file_figures"),
    ("V2", "obs_23523", "figures"),
    ("V8", "stacked_gc", "figures"),
    ("V8", "stacked_111630", "figures"),
]
SKIP_KEYS = {"gti_time_sum_s"}  # checked separately, GTI precision is the data layer's


def figures(ds):
    """The reference's figures (make_reference.summarize) computed from our dataset."""
    counts = np.asarray(ds.counts.data, float)
    mask = np.asarray(ds.mask_safe.data, bool)
    b = np.nan_to_num(np.asarray(ds.background.data, float))
    e = ds.exposure.quantity.to_value("m2 s")
    f = {
        "shape": list(counts.shape),
        "counts_sum": counts.sum(),
        "mask_safe_true": int(mask.sum()),
        "mask_safe_size": int(mask.size),
        "counts_safe_sum": counts[mask].sum(),
        "background_sum": b.sum(),
        "background_safe_sum": b[mask].sum(),
        "exposure_min": e.min(),
        "exposure_max": e.max(),
        "exposure_sum": e.sum(),
        "psf_sum": ds.psf.psf_map.quantity.to_value("sr-1").sum(),
        "psf_exposure_sum": ds.psf.exposure_map.quantity.to_value("m2 s").sum(),
        "edisp_sum": np.asarray(ds.edisp.edisp_map.data, float).sum(),
        "edisp_exposure_sum": ds.edisp.exposure_map.quantity.to_value("m2 s").sum(),
        "gti_time_sum_s": ds.gti.time_sum.to_value("s"),
    }
    return f


@pytest.mark.parametrize("recipe, name, which", FILES)
def test_read_reference_figures(reference_dir, recipe, name, which):
    summary = json.loads((reference_dir / recipe / "summary.json").read_text())
    expected = summary["outputs"][name][which]
    ds = MapDataset.read(reference_dir / recipe / f"{name}.fits.gz")
    assert ds.name == name
    assert isinstance(ds.psf, PSFMap) and isinstance(ds.edisp, EDispKernelMap)
    got = figures(ds)
    for key, value in got.items():
        if key not in expected:
            continue
        if key == "shape":
            assert value == expected[key]
        elif key in ("mask_safe_true", "mask_safe_size"):
            assert value == expected[key]
        else:
            assert np.isclose(value, expected[key], rtol=1e-6, atol=0), (key, value, expected[key])
    assert ds.exposure.geom.axes.names == ["energy_true"]
    assert isinstance(ds.exposure.meta["livetime"], u.Quantity)


def _layout(path):
    with fits.open(path) as hdulist:
        out = []
        for hdu in hdulist:
            columns = None
            if isinstance(hdu, fits.BinTableHDU):
                columns = [(c.name, c.format, c.unit, c.dim) for c in hdu.columns]
            dtype = None if hdu.data is None or columns else hdu.data.dtype.name
            keys = [k for k in hdu.header if k not in ("CHECKSUM", "DATASUM")]
            out.append((hdu.name, type(hdu).__name__, dtype, columns, keys))
        return out


@pytest.mark.parametrize("recipe, name", [("V1", "stacked"), ("V1", "obs_23523"), ("V2", "obs_23592")])
def test_write_layout_and_round_trip(reference_dir, tmp_path, recipe, name):
    ref = reference_dir / recipe / f"{name}.fits.gz"
    ds = MapDataset.read(ref)
    out = tmp_path / "sub" / "dataset.fits.gz"
    ds.write(out)
    assert _layout(out) == _layout(ref)
    with pytest.raises(OSError):
        ds.write(out)
    ds.write(out, overwrite=True)
    # data and non-creation header values identical to the gammapy file
    with fits.open(ref) as a, fits.open(out) as b:
        assert b[0].header["CREATOR"].startswith("gammabin")
        for ha, hb in zip(a, b):
            for key in ha.header:
                if key not in ("CREATOR", "CREATED"):
                    assert ha.header[key] == hb.header[key], (ha.name, key)
            if isinstance(ha, fits.BinTableHDU):
                for col in ha.columns.names:
                    assert np.array_equal(ha.data[col], hb.data[col]), (ha.name, col)
            elif ha.data is not None:
                assert ha.data.dtype == hb.data.dtype and np.array_equal(ha.data, hb.data), ha.name
    back = MapDataset.read(out)
    assert back.name == ds.name
    assert str(back) == str(ds)
    assert back.meta_table.colnames == ds.meta_table.colnames
    assert np.array_equal(np.asarray(back.meta_table["OBS_ID"]), np.asarray(ds.meta_table["OBS_ID"]))
    assert back.gti.time_sum == ds.gti.time_sum


def test_read_name_override_and_created_dataset_round_trip(reference_dir, tmp_path):
    ds = MapDataset.read(reference_dir / "V1" / "obs_23523.fits.gz", name="other")
    assert ds.name == "other"
    from gammabin.maps import MapAxis, WcsGeom

    axis = MapAxis.from_bounds(1, 10, nbin=3, name="energy", unit="TeV", interp="log")
    empty = MapDataset.create(WcsGeom.create(skydir=(0, 0), width=2, binsz=0.1, axes=[axis]), name="e")
    empty.write(tmp_path / "e.fits")
    with fits.open(tmp_path / "e.fits") as hdulist:
        names = [h.name for h in hdulist]
        assert names == [
            "PRIMARY", "COUNTS", "COUNTS_BANDS", "EXPOSURE", "EXPOSURE_BANDS", "BACKGROUND", "BACKGROUND_BANDS",
            "EDISP", "EDISP_BANDS", "EDISP_EXPOSURE", "EDISP_EXPOSURE_BANDS", "PSF", "PSF_BANDS",
            "PSF_EXPOSURE", "PSF_EXPOSURE_BANDS", "MASK_SAFE", "MASK_SAFE_BANDS", "GTI",
        ]  # no meta table: none was given
        gti = hdulist["GTI"].header
        assert (gti["MJDREFI"], gti["MJDREFF"], gti["TIMESYS"]) == (51544, 0.0, "utc")
        assert hdulist["MASK_SAFE"].data.dtype.name == "int64"
    back = MapDataset.read(tmp_path / "e.fits")
    assert np.array_equal(np.asarray(back.edisp.edisp_map.data), np.asarray(empty.edisp.edisp_map.data))
    assert back.psf.psf_map.unit == "sr-1" and not back.mask_safe.data.any()
