"""WcsNDMap: counts filling vs the gammapy-written reference, gadf FITS layout,
round trips, interpolation vs gammapy values, stacking conservation."""
import json
from pathlib import Path

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits

from gammabin.maps import Map, MapAxis, MapCoord, WcsGeom, WcsNDMap

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "expected/maps_expected.json").read_text())


def _seed_geom():
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    return WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02, axes=[axis])


class _EventsShim:
    """Stands in for gammabin.data.EventList: float32 columns read with astropy."""

    def __init__(self, path):
        data = fits.open(path)["EVENTS"].data
        self.ra, self.dec, self.energy = data["RA"], data["DEC"], data["ENERGY"]

    def map_coord(self, geom):
        return MapCoord.create({"skycoord": SkyCoord(self.ra, self.dec, unit="deg"), "energy": u.Quantity(self.energy, "TeV")}, frame=geom.frame)


@pytest.fixture(scope="module")
def counts_23592(hess_dir):
    counts = Map.from_geom(_seed_geom())
    counts.fill_events(_EventsShim(hess_dir / "data/hess_dl3_dr1_obs_id_023592.fits.gz"))
    return counts


def test_counts_equal_gammapy_reference_cutout(counts_23592, reference_dir):
    ref = Map.read(reference_dir / "V1/obs_23592.fits.gz", hdu="COUNTS")
    assert isinstance(ref, WcsNDMap) and ref.data.dtype == np.float32
    cut = counts_23592.cutout(SkyCoord(83.63, 22.01, unit="deg"), width=1.5 * u.deg)
    assert cut.geom == ref.geom
    assert cut.data.dtype == np.float32
    np.testing.assert_array_equal(cut.data, ref.data)
    assert ref.data.sum() > 100


def test_fill_by_coord_accepts_tuple_and_lonlat_dict(counts_23592, hess_dir):
    events = _EventsShim(hess_dir / "data/hess_dl3_dr1_obs_id_023592.fits.gz")
    by_tuple = Map.from_geom(_seed_geom())
    by_tuple.fill_by_coord((events.ra.astype(float), events.dec.astype(float), events.energy))
    by_dict = Map.from_geom(_seed_geom())
    by_dict.fill_by_coord({"lon": events.ra, "lat": events.dec, "energy": events.energy}, weights=np.full(len(events.ra), 2.0))
    np.testing.assert_array_equal(by_tuple.data, counts_23592.data)
    np.testing.assert_array_equal(by_dict.data, 2 * counts_23592.data)


def test_written_layout_matches_gammapy_reference(counts_23592, reference_dir, tmp_path):
    path = tmp_path / "counts.fits"
    counts_23592.write(path, hdu="counts")
    ours, ref = fits.open(path), fits.open(reference_dir / "V1/stacked.fits.gz")
    assert [h.name for h in ours] == ["PRIMARY", "COUNTS", "COUNTS_BANDS"]
    skip = {"CREATOR", "CREATED"}
    ref_keys = [k for k in ref["COUNTS"].header if k not in skip]
    assert list(ours["COUNTS"].header) == ref_keys
    for key in ref_keys:
        assert ours["COUNTS"].header[key] == ref["COUNTS"].header[key], key
    assert [k for k in ours["COUNTS_BANDS"].header] == [k for k in ref["COUNTS_BANDS"].header if k not in skip]
    assert ours["COUNTS_BANDS"].columns.names == ref["COUNTS_BANDS"].columns.names
    assert ours["COUNTS_BANDS"].columns.formats == ref["COUNTS_BANDS"].columns.formats
    for name in ref["COUNTS_BANDS"].columns.names:
        np.testing.assert_array_equal(ours["COUNTS_BANDS"].data[name], ref["COUNTS_BANDS"].data[name])
    assert not list(tmp_path.glob(".*tmp*"))  # atomic write left no temp file


def test_round_trip_and_reference_read(reference_dir, tmp_path):
    rad = MapAxis.from_nodes([0.0, 0.1, 0.2], name="rad", unit="deg")
    energy = MapAxis.from_energy_bounds(1, 10, 3, unit="TeV", name="energy_true")
    geom = WcsGeom.create(skydir=(10, 20), binsz=0.5, width=2, axes=[rad, energy], frame="galactic")
    m = Map.from_geom(geom, unit="cm-2 s-1", dtype="float64")
    m.data = np.random.default_rng(0).normal(size=geom.data_shape)
    m.meta = {"a": 1}
    m.write(tmp_path / "m.fits")
    back = Map.read(tmp_path / "m.fits")
    assert back.geom == geom and back.unit == m.unit and back.meta == {"a": 1}
    np.testing.assert_array_equal(back.data, m.data)
    with pytest.raises(OSError):
        m.write(tmp_path / "m.fits")
    mask = Map.from_geom(geom, data=m.data > 0)
    mask.write(tmp_path / "mask.fits", hdu="mask")
    assert fits.open(tmp_path / "mask.fits")["MASK"].data.dtype.kind == "i"
    back_mask = Map.read(tmp_path / "mask.fits", hdu="MASK")
    assert back_mask.data.dtype == bool and np.array_equal(back_mask.data, mask.data)
    safe = Map.read(reference_dir / "V1/stacked.fits.gz", hdu="MASK_SAFE")
    assert safe.data.dtype == bool and safe.geom.data_shape == (11, 250, 250)
    psf = Map.read(reference_dir / "V1/stacked.fits.gz", hdu="PSF")
    assert psf.geom.axes.names == ["rad", "energy_true"] and psf.unit == u.Unit("sr-1")


def test_str_like_gammapy():
    geom = WcsGeom.create(skydir=(0, 0), width=1, binsz=0.1, axes=[MapAxis.from_energy_bounds(1, 10, 11, unit="TeV")])
    text = str(Map.from_geom(geom, dtype=bool))
    assert text == ("WcsNDMap\n\n\tgeom  : WcsGeom \n \taxes  : ['lon', 'lat', 'energy']\n\tshape : (np.int64(10), "
                    "np.int64(10), 11)\n\tndim  : 3\n\tunit  : \n\tdtype : bool\n")


def test_interpolation_matches_gammapy():
    axis = MapAxis.from_bounds(1, 10, nbin=4, name="energy", unit="TeV", interp="log")
    m = Map.from_geom(WcsGeom.create(skydir=(0, 0), width=1, binsz=0.25, axes=[axis]), dtype="float64")
    m.data = np.arange(m.data.size, dtype=float).reshape(m.data.shape) ** 1.5 + 1
    coords = {"lon": [0.05, -0.2, 0.31, 0.0], "lat": [0.0, 0.1, -0.27, 0.45], "energy": [1.3, 2.0, 7.7, 12.0] * u.TeV}
    exp = EXPECTED["interp"]
    np.testing.assert_allclose(m.interp_by_coord(coords), exp["linear"], rtol=1e-12)
    np.testing.assert_allclose(m.interp_by_coord(coords, method="nearest"), exp["nearest"], rtol=1e-12)
    np.testing.assert_allclose(m.interp_by_coord(coords, values_scale="log"), exp["log"], rtol=1e-12)
    np.testing.assert_allclose(np.nan_to_num(m.interp_by_coord(coords, fill_value=np.nan), nan=-999), exp["fill"], rtol=1e-12)
    np.testing.assert_allclose(np.nan_to_num(m.get_by_coord(coords), nan=-999), exp["get_by_coord"], rtol=1e-12)


def test_stack_cutout_conserves_and_arithmetic(counts_23592):
    parent = Map.from_geom(counts_23592.geom)
    cut = counts_23592.cutout(SkyCoord(83.633, 21.514, unit="deg"), width=1.5 * u.deg)
    parent.stack(cut)
    parent.stack(cut)
    assert parent.data.sum() == 2 * cut.data.sum()
    assert parent.cutout(SkyCoord(83.633, 21.514, unit="deg"), width=1.5 * u.deg).data.tolist() == (2 * cut.data).tolist()
    image = counts_23592.sum_over_axes(keepdims=False)
    assert image.geom.is_image and image.data.sum() == counts_23592.data.sum()
    exposure = Map.from_geom(cut.geom, data=np.full(cut.geom.data_shape, 2.0), unit="m2 s")
    flux = cut / exposure
    assert flux.unit == u.Unit("m-2 s-1") and np.allclose(flux.data, cut.data / 2)
    assert ((cut + cut) - cut * 2).data.sum() == 0
    assert bool(Map.from_geom(cut.geom))
