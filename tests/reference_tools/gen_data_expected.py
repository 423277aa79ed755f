"""Generate tests/expected/data_expected.json with gammapy 2.1 (run with <gammapy-venv>/bin/python).

Source of the expected numbers used by tests/data/test_data_*.py.  gammabin never imports gammapy.
"""
import json
from pathlib import Path

import astropy.units as u
from astropy.coordinates import SkyCoord
from astropy.time import Time
from gammapy.data import GTI, DataStore
from regions import CircleSkyRegion

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
OUT = Path(__file__).resolve().parents[1] / "expected" / "data_expected.json"

out = {}
store = DataStore.from_dir(DATA / "hess-dl3-dr1")
runs = {}
for obs in store.get_observations([23523, 23526, 23559, 23592]):
    ev = obs.events
    t0 = obs.tstart
    runs[str(obs.obs_id)] = {
        "n_events": len(ev.table),
        "live_time_s": obs.observation_live_time_duration.to_value("s"),
        "ontime_s": obs.observation_time_duration.to_value("s"),
        "dead_time_fraction": obs.observation_dead_time_fraction,
        "pointing_icrs_deg": [obs.get_pointing_icrs(obs.tmid).ra.deg, obs.get_pointing_icrs(obs.tmid).dec.deg],
        "target_deg": [obs.target_radec.ra.deg, obs.target_radec.dec.deg],
        "tstart_mjd": obs.tstart.mjd,
        "tstop_mjd": obs.tstop.mjd,
        "tmid_mjd": obs.tmid.mjd,
        "altaz_tmid_deg": [obs.get_pointing_altaz(obs.tmid).alt.deg, obs.get_pointing_altaz(obs.tmid).az.deg],
        "n_energy_1_10": len(ev.select_energy([1, 10] * u.TeV).table),
        "n_offset_05_15": len(ev.select_offset([0.5, 1.5] * u.deg).table),
        "n_time_100_500": len(ev.select_time(Time([t0 + 100 * u.s, t0 + 500 * u.s])).table),
        "n_region_crab_02": len(
            ev.select_region(CircleSkyRegion(SkyCoord(83.633, 22.014, unit="deg"), 0.2 * u.deg)).table
        ),
        "n_obs_select_time": len(obs.select_time(Time([t0 + 100 * u.s, t0 + 500 * u.s])).events.table),
        "livetime_obs_select_time_s": obs.select_time(Time([t0 + 100 * u.s, t0 + 500 * u.s])).observation_live_time_duration.to_value("s"),
        "aeff_at_1tev_05deg_m2": float(obs.aeff.evaluate(energy_true=1 * u.TeV, offset=0.5 * u.deg).to_value("m2")),
        "bkg_fov_alignment": str(obs.bkg.fov_alignment.value) if hasattr(obs.bkg.fov_alignment, "value") else str(obs.bkg.fov_alignment),
    }
out["hess_runs"] = runs
out["hess_total_events"] = sum(r["n_events"] for r in runs.values())
out["hess_total_livetime_h"] = sum(r["live_time_s"] for r in runs.values()) / 3600

cta = DataStore.from_dir(DATA / "cta-1dc" / "index" / "gps")
obs = cta.obs(110380)
out["cta_110380"] = {
    "n_events": len(obs.events.table),
    "live_time_s": obs.observation_live_time_duration.to_value("s"),
    "aeff_at_1tev_1deg_m2": float(obs.aeff.evaluate(energy_true=1 * u.TeV, offset=1 * u.deg).to_value("m2")),
}

magic = DataStore.from_dir(DATA / "magic" / "rad_max" / "data")
obs = magic.obs(5029747, required_irf="point-like")
out["magic_5029747"] = {
    "n_events": len(obs.events.table),
    "rad_max_shape": list(obs.rad_max.data.shape),
    "rad_max_first_deg": float(obs.rad_max.data.ravel()[0]),
}
joint = DataStore.from_dir(DATA / "joint-crab" / "dl3" / "magic")
obs = joint.obs(5029748, required_irf="point-like")
out["joint_5029748"] = {"n_events": len(obs.events.table), "rad_max_deg": float(obs.rad_max.data.ravel()[0])}

ref = Time(55555.5, format="mjd", scale="tt")
gti = GTI.create([0, 5, 20, 30] * u.s, [10, 12, 30, 40] * u.s, reference_time=ref)
union = gti.union()
out["gti_union"] = {"met_start": union.met_start.to_value("s").tolist(), "met_stop": union.met_stop.to_value("s").tolist()}
union_strict = gti.union(merge_equal=False)
out["gti_union_no_merge_equal"] = {"met_start": union_strict.met_start.to_value("s").tolist(), "met_stop": union_strict.met_stop.to_value("s").tolist()}
sel = gti.select_time(ref + [7, 25] * u.s)
out["gti_select_7_25"] = {"met_start": (sel.time_start - ref).to_value("s").tolist(), "met_stop": (sel.time_stop - ref).to_value("s").tolist(), "time_sum_s": sel.time_sum.to_value("s")}
OUT.write_text(json.dumps(out, indent=1))
print(OUT)
