"""Generate tests/expected/maps_expected.json with gammapy 2.1 (run with <gammapy-venv>/bin/python).

Expected values for tests/maps: axis edges/centres/pix, per-event energy bins of
H.E.S.S. DR1 run 23592 (sha256 of the int16 bin-index array + histogram), WcsGeom
npix rounding, cutout WCS, solid angles, separation, masks and interpolation.
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits
from gammapy.maps import Map, MapAxis, WcsGeom
from regions import CircleSkyRegion, PointSkyRegion

SHARED = Path(__file__).resolve().parents[3] / "shared"
RUN = SHARED / "data/hess-dl3-dr1/data/hess_dl3_dr1_obs_id_023592.fits.gz"
OUT = Path(__file__).resolve().parents[1] / "expected/maps_expected.json"

AXES = {
    "log_1_10_TeV_11": dict(lo=1, hi=10, nbin=11, interp="log", unit="TeV", name="energy"),
    "log_0p1_100_TeV_24": dict(lo=0.1, hi=100, nbin=24, interp="log", unit="TeV", name="energy"),
    "log_100_1e5_GeV_70": dict(lo=100, hi=1e5, nbin=70, interp="log", unit="GeV", name="energy"),
    "lin_0_20_TeV_40": dict(lo=0, hi=20, nbin=40, interp="lin", unit="TeV", name="energy"),
    "sqrt_0p5_50_TeV_13": dict(lo=0.5, hi=50, nbin=13, interp="sqrt", unit="TeV", name="energy"),
}


def make_axis(spec, node_type="edges"):
    return MapAxis.from_bounds(spec["lo"], spec["hi"], nbin=spec["nbin"], interp=spec["interp"],
                               unit=spec["unit"], name=spec["name"], node_type=node_type)


def bins_of(axis, energy):
    # gammapy's event path: geom.coord_to_idx → axis.coord_to_pix → floor(pix + 0.5), -1 outside
    pix = axis.coord_to_pix(u.Quantity(energy, "TeV"))
    idx = np.floor(pix + 0.5)
    idx = np.where((idx < 0) | (idx >= axis.nbin) | ~np.isfinite(pix), -1, idx).astype(np.int16)
    return idx


def main():
    out = {"source": "gammapy 2.1 via tests/reference_tools/make_maps_expected.py"}
    events = fits.open(RUN)["EVENTS"].data
    energy = events["ENERGY"]  # float32 as stored
    out["axes"] = {}
    for key, spec in AXES.items():
        entry = {}
        for node_type in ("edges", "center"):
            axis = make_axis(spec, node_type)
            probe = np.linspace(spec["lo"], spec["hi"], 29)
            entry[node_type] = {
                "edges": axis.edges.value.tolist(),
                "center": axis.center.value.tolist(),
                "pix": axis.coord_to_pix(probe * u.Unit(spec["unit"])).tolist(),
                "coord_to_idx": axis.coord_to_idx(probe * u.Unit(spec["unit"])).tolist(),
                "squash_center": axis.squash().center.value.tolist(),
                "upsample2_edges": axis.upsample(2).edges.value.tolist(),
            }
        axis = make_axis(spec)
        bins = bins_of(axis, energy)
        entry["events_sha256"] = hashlib.sha256(bins.tobytes()).hexdigest()
        entry["events_hist"] = np.bincount(bins + 1, minlength=axis.nbin + 1).tolist()
        out["axes"][key] = entry

    out["npix"] = {}
    for width, binsz in [(1.51, 0.02), (1.49, 0.02), (5, 0.3), (5.01, 0.02), (0.3, 0.2), (5, 0.02), (8, 0.5)]:
        geom = WcsGeom.create(skydir=(0, 0), width=width, binsz=binsz)
        out["npix"][f"{width}/{binsz}"] = int(geom.npix[0][0])

    geom = WcsGeom.create(skydir=(83.63, 22.01), width=5, binsz=0.02,
                          axes=[MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")])
    cut = geom.cutout(SkyCoord(83.633, 21.514, unit="deg"), width=1.5 * u.deg)
    out["cutout_v1"] = {"npix": [int(cut.npix[0][0]), int(cut.npix[1][0])], "crpix": cut.wcs.wcs.crpix.tolist()}
    irf = geom.to_binsz(0.2)
    cut_irf = irf.cutout(SkyCoord(83.63, 22.01, unit="deg"), width=1.5 * u.deg)
    out["cutout_irf"] = {"npix": [int(cut_irf.npix[0][0]), int(cut_irf.npix[1][0])],
                         "crpix": cut_irf.wcs.wcs.crpix.tolist(), "parent_npix": int(irf.npix[0][0])}
    edge = geom.cutout(SkyCoord(85.9, 24.3, unit="deg"), width=1.0 * u.deg)
    out["cutout_edge_trim"] = {"npix": [int(edge.npix[0][0]), int(edge.npix[1][0])], "crpix": edge.wcs.wcs.crpix.tolist()}
    odd = geom.cutout(SkyCoord(83.0, 22.5, unit="deg"), width=(0.33, 0.5), odd_npix=True)
    out["cutout_odd"] = {"npix": [int(odd.npix[0][0]), int(odd.npix[1][0])], "crpix": odd.wcs.wcs.crpix.tolist()}

    out["solid_angle"] = {}
    for key, kwargs in {
        "v1_car_0p02": dict(skydir=(83.63, 22.01), width=5, binsz=0.02),
        "car_0p04_south": dict(skydir=(228.6, -59.1), width=4, binsz=0.04),
        "gal_tan_0p1": dict(skydir=(184.55, -5.78), width=6, binsz=0.1, frame="galactic", proj="TAN"),
        "car_0p5_wide": dict(skydir=(10, 60), width=(30, 20), binsz=0.5),
    }.items():
        g = WcsGeom.create(**kwargs)
        sa = g.solid_angle().to_value("sr")[..., :, :].reshape(g.data_shape[-2:])
        picks = [(0, 0), (sa.shape[0] // 2, sa.shape[1] // 3), (sa.shape[0] - 1, sa.shape[1] - 1)]
        out["solid_angle"][key] = {"kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()},
                                   "sum": float(sa.sum()), "picks": [[i, j, float(sa[i, j])] for i, j in picks]}

    g = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.1)
    sep = g.separation(SkyCoord(83.0, 22.5, unit="deg")).deg
    out["separation"] = {"sum": float(sep.sum()), "max": float(sep.max())}
    circle = CircleSkyRegion(SkyCoord(83.5, 22.1, unit="deg"), 0.35 * u.deg)
    point = PointSkyRegion(SkyCoord(84.03, 21.62, unit="deg"))
    mask = g.region_mask([circle, point])
    out["region_mask"] = {"n_true": int(mask.data.sum()), "true_idx": np.argwhere(mask.data).tolist()}

    axis = MapAxis.from_bounds(1, 10, nbin=4, name="energy", unit="TeV", interp="log")
    g3 = WcsGeom.create(skydir=(0, 0), width=1, binsz=0.25, axes=[axis])
    m = Map.from_geom(g3, dtype="float64")
    m.data = np.arange(m.data.size, dtype=float).reshape(m.data.shape) ** 1.5 + 1
    coords = {"lon": [0.05, -0.2, 0.31, 0.0], "lat": [0.0, 0.1, -0.27, 0.45], "energy": [1.3, 2.0, 7.7, 12.0] * u.TeV}
    out["interp"] = {
        "linear": m.interp_by_coord(coords).tolist(),
        "nearest": m.interp_by_coord(coords, method="nearest").tolist(),
        "log": m.interp_by_coord(coords, values_scale="log").tolist(),
        "fill": np.nan_to_num(m.interp_by_coord(coords, fill_value=np.nan), nan=-999).tolist(),
        "get_by_coord": np.nan_to_num(m.get_by_coord(coords), nan=-999).tolist(),
    }
    mask = g3.energy_mask(1.5 * u.TeV, 6 * u.TeV)
    out["energy_mask"] = mask.data[:, 0, 0].tolist()
    OUT.write_text(json.dumps(out, indent=1))
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
