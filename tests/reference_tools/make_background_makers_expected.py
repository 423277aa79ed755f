"""Expected values for tests/background_makers, generated with gammapy 2.1:

    <gammapy-venv>/bin/python tests/reference_tools/make_background_makers_expected.py

Writes tests/expected/background_makers_gammapy21.json.  Inputs are the reference files
of shared/reference (V1 stacked dataset, V5 ring dataset, V7 phase event file); the
recipes follow shared/reference/make_reference.py.  Timings are informational."""
import json
import sys
import time
from pathlib import Path

import numpy as np
from astropy.coordinates import Angle, SkyCoord
from regions import CircleSkyRegion

from gammapy.data import Observation
from gammapy.datasets import MapDataset, MapDatasetOnOff
from gammapy.makers import AdaptiveRingBackgroundMaker, PhaseBackgroundMaker, RingBackgroundMaker
from gammapy.maps import MapAxis, WcsGeom

HERE = Path(__file__).resolve().parent
REF = HERE.parents[2] / "shared" / "reference"
CRAB = SkyCoord(83.633, 22.014, unit="deg")


def _timed(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def _onoff_figures(ds):
    return {
        "counts_off_sum": float(np.nansum(ds.counts_off.data)),
        "acceptance_sum": float(np.nansum(ds.acceptance.data)),
        "acceptance_off_sum": float(np.nansum(ds.acceptance_off.data)),
        "n_nan": int(np.isnan(ds.counts_off.data).sum()),
        "alpha_max": float(np.nanmax(ds.alpha.data)),
        "mask_safe_true": int(ds.mask_safe.data.sum()),
    }


def main():
    out = {"generator": "tests/reference_tools/make_background_makers_expected.py", "gammapy": None, "timing_s": {}}
    import gammapy

    out["gammapy"] = gammapy.__version__
    stacked = MapDataset.read(REF / "V1" / "stacked.fits.gz")
    image = stacked.to_image(name="stacked_image")
    geom = image.counts.geom.to_image()
    mask = geom.region_mask([CircleSkyRegion(CRAB, Angle("0.3 deg"))], inside=False)

    ring_maker = RingBackgroundMaker(r_in="0.3 deg", width="0.3 deg", exclusion_mask=mask)
    ring, out["timing_s"]["ring"] = _timed(lambda: ring_maker.run(image))

    adaptive = {}
    variants = {
        "default": {},
        "alpha_6e-4": {"threshold_alpha": 6e-4},
        "alpha_6e-4_fixed_r_in": {"threshold_alpha": 6e-4, "method": "fixed_r_in"},
        "alpha_3e-4": {"threshold_alpha": 3e-4},
    }
    for key, kwargs in variants.items():
        maker = AdaptiveRingBackgroundMaker(r_in="0.3 deg", r_out_max="1.5 deg", width="0.3 deg",
                                            exclusion_mask=mask, **kwargs)
        ds, dt = _timed(lambda: maker.run(image), repeat=1)
        out["timing_s"][f"adaptive_{key}"] = dt
        adaptive[key] = {"kwargs": kwargs, **_onoff_figures(ds)}
    out["adaptive_ring"] = adaptive

    # ON/OFF summaries of the V5 reference file
    onoff = MapDatasetOnOff.read(REF / "V5" / "ring.fits.gz")
    info = onoff.info_dict()
    out["v5_info_dict"] = {k: (float(v.value) if hasattr(v, "unit") else v) for k, v in info.items()}
    out["v5_str"] = str(onoff)

    # stacking two overlapping cutouts of the V5 dataset in both orders
    pos_a, pos_b = SkyCoord(83.2, 22.0, unit="deg"), SkyCoord(84.0, 22.2, unit="deg")
    stacks = {}
    for order in ("ab", "ba"):
        a = onoff.cutout(pos_a, "2 deg", name="a")
        b = onoff.cutout(pos_b, "2 deg", name="b")
        first, second = (a, b) if order == "ab" else (b, a)
        empty = MapDatasetOnOff.from_geoms(**onoff.geoms, name="stack")
        empty.stack(first)
        empty.stack(second)
        stacks[order] = {
            "counts_sum": float(empty.counts.data.sum()),
            "counts_off_sum": float(empty.counts_off.data.sum()),
            "acceptance_sum": float(empty.acceptance.data.sum()),
            "acceptance_off_sum": float(np.nansum(empty.acceptance_off.data)),
            "alpha_sum": float(empty.alpha.data.sum()),
            "dtype": str(empty.acceptance_off.data.dtype),
        }
    out["stack_cutouts"] = stacks

    # phase maker on a WCS MapDataset
    obs = Observation.read(REF / "V7" / "events_23523_phase.fits.gz")
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    wcs_geom = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.04, axes=[axis])
    empty = MapDataset.create(wcs_geom, name="phase_map")
    phase = {}
    for key, (on, off) in {"v7": ([(0.5, 0.6)], [(0.7, 1.0)]),
                           "wrap_overlap": ([(0.9, 1.1), (0.95, 1.05)], [(0.3, 0.5), (0.4, 0.6)])}.items():
        maker = PhaseBackgroundMaker(on_phase=on, off_phase=off)
        ds, dt = _timed(lambda: maker.run(empty.copy(name="phase_map"), obs), repeat=1)
        out["timing_s"][f"phase_map_{key}"] = dt
        phase[key] = {
            "on": on, "off": off, "counts_sum": float(ds.counts.data.sum()),
            "counts_off_sum": float(ds.counts_off.data.sum()),
            "counts_per_energy": ds.counts.data.sum(axis=(1, 2)).tolist(),
            "acceptance": float(ds.acceptance.data.flat[0]), "acceptance_off": float(ds.acceptance_off.data.flat[0]),
            "on_phase": [list(x) for x in maker.on_phase], "off_phase": [list(x) for x in maker.off_phase],
        }
    out["phase_map"] = phase

    path = HERE.parent / "expected" / "background_makers_gammapy21.json"
    path.write_text(json.dumps(out, indent=1, default=float) + "\n")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
