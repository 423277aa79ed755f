"""EventList selections (against direct numpy counts and gammapy 2.1 counts) and GTI
operations (against gammapy 2.1, tests/expected/data_expected.json)."""
import json
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.time import Time
from regions import CircleSkyRegion

from gammabin.data import GTI, EventList
from gammabin.errors import MissingColumnError

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "expected" / "data_expected.json").read_text())


@pytest.fixture(scope="module")
def run_file(hess_dir):
    return hess_dir / "data" / "hess_dl3_dr1_obs_id_023523.fits.gz"


@pytest.fixture(scope="module")
def events(run_file):
    return EventList.read(run_file)


@pytest.fixture(scope="module")
def raw(run_file):
    with fits.open(run_file) as hdul:
        data = hdul["EVENTS"].data
        return {name: np.array(data[name]) for name in ("RA", "DEC", "ENERGY", "TIME")}, dict(hdul["EVENTS"].header)


def test_columns_keep_dtype_and_values(events, raw):
    cols, header = raw
    assert len(events) == 7613
    assert events.energy.dtype == np.float32 and events.energy.unit == u.TeV
    assert events._energy_tev.dtype == np.float32
    assert events._ra.dtype == np.float64
    np.testing.assert_array_equal(events._ra, cols["RA"].astype(np.float64))
    np.testing.assert_array_equal(events._time_met, cols["TIME"])
    assert events.table.colnames[:4] == ["TIME", "ENERGY", "RA", "DEC"] and "EVENT_ID" in events.table.colnames
    assert events.pointing_radec.ra.deg == header["RA_PNT"]
    # absolute times: reference MJDREFI + MJDREFF (TT) + TIME seconds
    ref = Time(51910, 0.000742870370370241, format="mjd", scale="tt")
    assert abs((events.time[5] - (ref + cols["TIME"][5] * u.s)).to_value("s")) < 1e-6


def test_select_energy_half_open(events, raw):
    energy = raw[0]["ENERGY"]
    e0 = energy[10]  # an exact event energy: included at the low edge, excluded at the high edge
    e1 = energy[20]
    lo, hi = min(e0, e1), max(e0, e1)
    expected = np.count_nonzero((energy >= lo) & (energy < hi))
    assert len(events.select_energy(u.Quantity([lo, hi], u.TeV))) == expected
    assert len(events.select_energy([1, 10] * u.TeV)) == EXPECTED["hess_runs"]["23523"]["n_energy_1_10"]
    assert len(events.select_energy([1000, 10000] * u.GeV)) == EXPECTED["hess_runs"]["23523"]["n_energy_1_10"]


def test_select_offset(events, raw):
    cols, header = raw
    sc = SkyCoord(cols["RA"].astype(float), cols["DEC"].astype(float), unit="deg")
    offset = sc.separation(SkyCoord(header["RA_PNT"], header["DEC_PNT"], unit="deg")).deg
    np.testing.assert_allclose(events.offset.deg, offset, atol=1e-12)
    expected = np.count_nonzero((offset >= 0.5) & (offset < 1.5))
    assert len(events.select_offset([0.5, 1.5] * u.deg)) == expected == EXPECTED["hess_runs"]["23523"]["n_offset_05_15"]


def test_select_time(events, raw):
    t0 = events.time_ref + raw[0]["TIME"].min() * u.s
    sel = events.select_time(Time([t0 + 100 * u.s, t0 + 500 * u.s]))
    met = raw[0]["TIME"]
    start = met.min()
    expected = np.count_nonzero((met >= start + 100) & (met < start + 500))
    assert len(sel) == expected
    inverted = events.select_time(Time([t0 + 100 * u.s, t0 + 500 * u.s]), inverted=True)
    assert len(inverted) + len(sel) == len(events)


def test_select_region_and_parameter(events):
    region = CircleSkyRegion(SkyCoord(83.633, 22.014, unit="deg"), 0.2 * u.deg)
    assert len(events.select_region(region)) == EXPECTED["hess_runs"]["23523"]["n_region_crab_02"]
    ids = events.column("EVENT_ID")
    picked = events.select_parameter("EVENT_ID", [ids[3], ids[7]], is_range=False)
    assert picked.column("EVENT_ID").tolist() == [ids[3], ids[7]]
    ranged = events.select_parameter("ENERGY", [1, 10] * u.TeV)
    assert len(ranged) == EXPECTED["hess_runs"]["23523"]["n_energy_1_10"]


def test_stack_copy_and_subset(events):
    stacked = EventList.from_stack([events, events.select_energy([1, 10] * u.TeV)])
    assert len(stacked) == 7613 + 2972
    np.testing.assert_array_equal(stacked._time_met[7613:], events.select_energy([1, 10] * u.TeV)._time_met)
    copy = events.copy()
    copy.stack(events)
    assert len(copy) == 2 * 7613 and len(events) == 7613
    assert len(events.select_row_subset(slice(0, 10))) == 10


class _Axis:
    def __init__(self, name, unit):
        self.name, self.unit = name, u.Unit(unit)


class _Geom:
    def __init__(self, axes):
        self.axes = axes
        self.frame = "icrs"


def test_map_coord_columns(events):
    coord = events.map_coord(_Geom([_Axis("energy", "GeV")]))
    energy = coord["energy"] if isinstance(coord, dict) else coord["energy"]
    energy = u.Quantity(energy, "GeV") if not isinstance(energy, u.Quantity) else energy
    assert energy.dtype == np.float32
    np.testing.assert_allclose(u.Quantity(energy, "GeV").value, events.energy.to_value("GeV"), rtol=1e-7)
    with pytest.raises(MissingColumnError, match="ENERGY_TRUE"):
        events.map_coord(_Geom([_Axis("energy_true", "TeV")]))


def _gti(start, stop, ref):
    return GTI.create(u.Quantity(start, "s"), u.Quantity(stop, "s"), reference_time=ref)


def test_gti_read_and_sums(run_file):
    gti = GTI.read(run_file)
    assert len(gti) == 1
    assert gti.time_sum.to_value("s") == 1687.0000000000016
    assert gti.met_start.to_value("s")[0] == pytest.approx(123890826.0, abs=1e-6)


def test_gti_union_and_select_time():
    ref = Time(55555.5, format="mjd", scale="tt")
    gti = _gti([0, 5, 20, 30], [10, 12, 30, 40], ref)
    assert gti.time_sum.to_value("s") == pytest.approx(10 + 7 + 10 + 10, abs=1e-6)  # stacked overlaps count twice
    union = gti.union()
    assert union.met_start.to_value("s") == pytest.approx(EXPECTED["gti_union"]["met_start"], abs=1e-6)
    assert union.met_stop.to_value("s") == pytest.approx(EXPECTED["gti_union"]["met_stop"], abs=1e-6)
    strict = gti.union(merge_equal=False)
    assert strict.met_start.to_value("s") == pytest.approx(EXPECTED["gti_union_no_merge_equal"]["met_start"], abs=1e-6)
    with pytest.raises(ValueError, match="overlapping"):
        gti.union(overlap_ok=False)
    sel = gti.select_time(ref + [7, 25] * u.s)
    exp = EXPECTED["gti_select_7_25"]
    assert (sel.time_start - ref).to_value("s") == pytest.approx(exp["met_start"], abs=1e-6)
    assert (sel.time_stop - ref).to_value("s") == pytest.approx(exp["met_stop"], abs=1e-6)
    assert sel.time_sum.to_value("s") == pytest.approx(exp["time_sum_s"], abs=1e-6)


def test_gti_stack_and_write_roundtrip(tmp_path):
    ref = Time(55555.5, format="mjd", scale="tt")
    a, b = _gti([0], [10], ref), _gti([20], [25], Time(55555.0, format="mjd", scale="tt"))
    stacked = GTI.from_stack([a, b])
    assert len(stacked) == 2 and len(a) == 1
    # b starts 20 s after 55555.0 = 43200 s before ref + 20
    assert stacked.met_start.to_value("s")[1] == pytest.approx(-43180.0, abs=1e-6)
    stacked.write(tmp_path / "gti.fits")
    back = GTI.read(tmp_path / "gti.fits")
    assert back.time_sum.to_value("s") == pytest.approx(15.0, abs=1e-6)
    header = fits.getheader(tmp_path / "gti.fits", "GTI")
    assert header["MJDREFI"] == 55555 and header["TIMESYS"] == "tt"


def test_gti_union_orders_rows_in_their_own_scale():
    """Rows in TT with a UTC reference (a created dataset's GTI after stacking runs):
    the union sorts by start as the seconds from the reference would."""
    ref = Time("2000-01-01", scale="utc")
    base = Time(55555.5, format="mjd", scale="tt")
    starts, stops = [50, 0, 20, 5], [60, 10, 30, 12]
    gti = GTI(base + starts * u.s, base + stops * u.s, reference_time=ref)
    union = gti.union()
    offset = (base - ref).to_value("s")
    assert union.met_start.to_value("s") - offset == pytest.approx([0, 20, 50], abs=1e-6)
    assert union.met_stop.to_value("s") - offset == pytest.approx([12, 30, 60], abs=1e-6)
    assert union.time_start.scale == "tt"


def test_gti_create_empty_matches_the_time_arithmetic():
    ref = Time("2000-01-01", scale="utc")
    empty = GTI.create(u.Quantity([], "s"), u.Quantity([], "s"), reference_time=ref)
    expected = ref + u.Quantity([], "s")
    for times in (empty.time_start, empty.time_stop):
        assert times.shape == expected.shape == (0,)
        assert (times.scale, times.format) == (expected.scale, "mjd")
    assert empty.time_sum.to_value("s") == 0
    one = GTI.create(u.Quantity([1.0], "s"), u.Quantity([3.0], "s"), reference_time=ref)
    assert one.time_sum.to_value("s") == pytest.approx(2.0, abs=1e-9)
