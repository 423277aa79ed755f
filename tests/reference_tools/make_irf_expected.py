"""Generate tests/expected/irf_gammapy21.json.gz: IRF values computed by gammapy 2.1.

Run with the separate gammapy venv (gammabin never imports gammapy):

    <gammapy-venv>/bin/python tests/reference_tools/make_irf_expected.py

Each case records the file, HDU, class, the call (method + keyword arguments as
value/unit pairs) and gammapy's result.  Coordinate grids mix points inside the
tables, between the outer bin centres and the outer edges (extrapolation) and beyond
the edges (fill value), built from each table's own axes.
"""
import gzip
import json
import sys
from pathlib import Path

import numpy as np
from astropy import units as u
from gammapy.irf import (
    PSF3D,
    Background2D,
    Background3D,
    EffectiveAreaTable2D,
    EnergyDependentMultiGaussPSF,
    EnergyDispersion2D,
    PSFKing,
    RadMax2D,
)
from gammapy.maps import MapAxis

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
HESS = "hess-dl3-dr1/data/hess_dl3_dr1_obs_id_023523.fits.gz"
CTA = "cta-1dc/caldb/data/cta/1dc/bcf/South_z20_50h/irf_file.fits"
KING = "tests/hess_psf_king_023523.fits.gz"
BKG2D = "tests/irf/bkg_2d_full_example.fits"
MAGIC = "magic/rad_max/data/20131004_05029747_DL3_CrabNebula-W0.40+035.fits"
MAGIC_FIXED = "joint-crab/dl3/magic/run_05029748_DL3.fits"


def sparse(matrix):
    """Mostly-zero kernels as shape + flat indices + values (keeps the fixture small)."""
    flat = np.asarray(matrix, dtype=float).ravel()
    nonzero = np.flatnonzero(flat)
    return {"shape": list(np.shape(matrix)), "index": nonzero.tolist(), "value": flat[nonzero].tolist()}


def enc(value):
    q = u.Quantity(value)
    return {"value": np.asarray(q.value, dtype=float).tolist(), "unit": q.unit.to_string()}


def probe(axis, n_inside=4, outside=True):
    """Axis probe points: interior centres, edge/centre midpoints, exact edges, beyond."""
    edges, centres = axis.edges, axis.center
    pts = [edges[0], edges[-1], centres[0], centres[-1]]
    if axis.nbin > 1:
        pts += [0.5 * (edges[0] + centres[0]), 0.5 * (edges[-1] + centres[-1])]
        idx = np.linspace(0, axis.nbin - 1, n_inside + 2)[1:-1]
        pts += list(axis.pix_to_coord(idx + 0.37))
    if outside:
        span = edges[-1] - edges[0]
        if axis.interp == "log":
            pts += [edges[0] * 0.9, edges[-1] * 1.1]
        else:
            pts += [edges[0] - 0.05 * span, edges[-1] + 0.05 * span]
    return u.Quantity(sorted(u.Quantity(pts).to_value(axis.unit)), axis.unit)


def call(irf, method_name, **kwargs):
    result = getattr(irf, method_name)(**kwargs)
    plain = (int, float, str)
    return {"method": method_name, "kwargs": {k: v if isinstance(v, plain) else enc(v) for k, v in kwargs.items()},
            "result": enc(result)}


def grid_kwargs(irf, names, shapes_from=None):
    """Outer-product grid of probe points over the named axes."""
    kwargs = {}
    for i, name in enumerate(names):
        pts = probe(irf.axes[name])
        shape = [1] * len(names)
        shape[i] = -1
        kwargs[name] = pts.reshape(shape)
    return kwargs


def main():
    cases = []

    def add(name, path, hdu, cls, calls):
        cases.append({"name": name, "file": path, "hdu": hdu, "class": cls, "calls": calls})

    f = DATA / HESS
    aeff = EffectiveAreaTable2D.read(f, hdu="AEFF")
    add("hess_aeff", HESS, "AEFF", "aeff_2d", [call(aeff, "evaluate", **grid_kwargs(aeff, ["energy_true", "offset"]))])

    edisp = EnergyDispersion2D.read(f, hdu="EDISP")
    kw = grid_kwargs(edisp, ["energy_true", "migra", "offset"])
    kernels = []
    # offset 0 exactly is avoided: gammapy evaluates at the RegionGeom centre, 4e-31 deg
    # off, so rows empty at the offset-0 node take the 0.5 deg shape (documented deviation)
    for offset in (0.01, 2.6):  # near the centre and near the edge; 0.8 below with custom axes
        k = edisp.to_edisp_kernel(offset=offset * u.deg)
        kernels.append({"offset": offset, "result": sparse(k.data)})
    e_true = MapAxis.from_energy_bounds(0.3, 30, 20, unit="TeV", name="energy_true")
    e_reco = MapAxis.from_energy_bounds(0.5, 50, 15, unit="TeV", name="energy")
    k = edisp.to_edisp_kernel(offset=0.8 * u.deg, energy_axis_true=e_true, energy_axis=e_reco)
    kernels.append({"offset": 0.8, "energy_true_edges": e_true.edges.value.tolist(),
                    "energy_edges": e_reco.edges.value.tolist(), "result": k.data.tolist(),
                    "mean": k.get_mean(e_true.center).to_value("TeV").tolist(),
                    "resolution": k.get_resolution(e_true.center).value.tolist(),
                    "bias": k.get_bias(e_true.center).value.tolist()})
    add("hess_edisp", HESS, "EDISP", "edisp_2d", [call(edisp, "evaluate", **kw)])
    cases[-1]["kernels"] = kernels

    psf = PSF3D.read(f, hdu="PSF")
    rad = probe(psf.axes["rad"])
    energies = probe(psf.axes["energy_true"])[::2]
    offsets = u.Quantity([0.0, 0.5, 1.3, 2.2], "deg")
    add("hess_psf", HESS, "PSF", "psf_table", [
        call(psf, "evaluate", **grid_kwargs(psf, ["energy_true", "offset", "rad"])),
        call(psf, "containment", rad=rad[:, None, None], energy_true=energies[None, :, None], offset=offsets[None, None, :]),
        call(psf, "containment_radius", fraction=0.68, energy_true=energies[:, None], offset=offsets[None, :]),
        call(psf, "containment_radius", fraction=0.95, energy_true=energies[:, None], offset=offsets[None, :]),
    ])

    bkg = Background3D.read(f, hdu="BKG")
    e_edges = u.Quantity(np.geomspace(0.05, 120, 12), "TeV")
    lon = u.Quantity([-3.0, -1.2, 0.0, 0.7, 2.9], "deg")
    lat = u.Quantity([-2.5, 0.3, 1.1, 3.1], "deg")
    add("hess_bkg3d", HESS, "BKG", "bkg_3d", [
        call(bkg, "evaluate", **grid_kwargs(bkg, ["energy", "fov_lon", "fov_lat"])),
        call(bkg, "integrate_log_log", axis_name="energy", energy=e_edges[:, None, None],
             fov_lon=lon[None, :, None], fov_lat=lat[None, None, :]),
    ])

    c = DATA / CTA
    psf3 = EnergyDependentMultiGaussPSF.read(c, hdu="POINT SPREAD FUNCTION")
    energies = probe(psf3.axes["energy_true"])[::2]
    offs = probe(psf3.axes["offset"])[::2]
    rad = u.Quantity([0.0, 0.01, 0.05, 0.1, 0.3, 1.0], "deg")
    add("cta_psf3gauss", CTA, "POINT SPREAD FUNCTION", "psf_3gauss", [
        call(psf3, "evaluate", rad=rad[:, None, None], energy_true=energies[None, :, None], offset=offs[None, None, :]),
        call(psf3, "containment", rad=rad[:, None, None], energy_true=energies[None, :, None], offset=offs[None, None, :]),
        call(psf3, "containment_radius", fraction=0.68, energy_true=energies[:, None], offset=offs[None, :]),
    ])
    bkg_cta = Background3D.read(c, hdu="BACKGROUND")
    add("cta_bkg3d", CTA, "BACKGROUND", "bkg_3d", [
        call(bkg_cta, "evaluate", **grid_kwargs(bkg_cta, ["energy", "fov_lon", "fov_lat"]))])
    cases[-1]["unit"] = bkg_cta.unit.to_string()
    aeff_cta = EffectiveAreaTable2D.read(c, hdu="EFFECTIVE AREA")
    add("cta_aeff", CTA, "EFFECTIVE AREA", "aeff_2d", [
        call(aeff_cta, "evaluate", **grid_kwargs(aeff_cta, ["energy_true", "offset"]))])

    king = PSFKing.read(DATA / KING, hdu="PSF_2D_KING")
    energies = probe(king.axes["energy_true"])[::2]
    offs = probe(king.axes["offset"])[::2]
    add("hess_king", KING, "PSF_2D_KING", "psf_king", [
        call(king, "evaluate", rad=rad[:, None, None], energy_true=energies[None, :, None], offset=offs[None, None, :]),
        call(king, "containment", rad=rad[:, None, None], energy_true=energies[None, :, None], offset=offs[None, None, :]),
        call(king, "containment_radius", fraction=0.68, energy_true=energies[:, None], offset=offs[None, :]),
    ])

    bkg2 = Background2D.read(DATA / BKG2D, hdu="BACKGROUND")
    add("example_bkg2d", BKG2D, "BACKGROUND", "bkg_2d", [
        call(bkg2, "evaluate", **grid_kwargs(bkg2, ["energy", "offset"]))])

    rm = RadMax2D.read(DATA / MAGIC, hdu="RAD_MAX")
    # gammapy fails when coordinates vary along a dropped one-bin axis (spec §2.3), so
    # the one-bin offset axes are probed one scalar offset at a time.
    e = probe(rm.axes["energy"])
    off = u.Quantity([0.3, 0.389, 0.39, 0.4, 0.41, 0.411, 0.5], "deg")
    calls = []
    for o in off:
        calls += [call(rm, "evaluate", energy=e, offset=o), call(rm, "evaluate", method="nearest", energy=e, offset=o)]
    add("magic_rad_max", MAGIC, "RAD_MAX", "rad_max_2d", calls)
    aeff_m = EffectiveAreaTable2D.read(DATA / MAGIC, hdu="EFFECTIVE AREA")
    e = probe(aeff_m.axes["energy_true"])
    add("magic_aeff_one_offset_bin", MAGIC, "EFFECTIVE AREA", "aeff_2d",
        [call(aeff_m, "evaluate", energy_true=e, offset=o) for o in off])

    aeff_fixed = EffectiveAreaTable2D.read(DATA / MAGIC_FIXED, hdu="EFFECTIVE AREA")
    rm_fixed = RadMax2D.from_irf(aeff_fixed)
    add("magic_rad_max_from_irf", MAGIC_FIXED, "EFFECTIVE AREA", "rad_max_from_irf", [
        call(rm_fixed, "evaluate", energy=u.Quantity([0.001, 1.0, 1e4], "TeV"), offset=o)
        for o in u.Quantity([0.0, 0.4, 5.0], "deg")])
    cases[-1]["is_fixed_rad_max"] = bool(rm_fixed.is_fixed_rad_max)

    import gammapy

    out = {"generator": "tests/reference_tools/make_irf_expected.py", "gammapy": gammapy.__version__,
           "numpy": np.__version__, "cases": cases}
    path = REPO / "tests" / "expected" / "irf_gammapy21.json.gz"
    # gzip with mtime 0: 0.07 MB instead of 0.22, the same bytes on every run
    path.write_bytes(gzip.compress(json.dumps(out, separators=(",", ":")).encode(), compresslevel=9, mtime=0))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, {len(cases)} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
