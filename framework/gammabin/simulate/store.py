"""Writing a GADF data store: per-run EVENTS + GTI files, a shared IRF file (or IRF
HDUs in each run file), ``hdu-index.fits.gz`` and ``obs-index.fits.gz``.  Every file
is written to a temporary name beside the target and renamed (atomic)."""
import numpy as np
from astropy.io import fits
from astropy.table import Table

from gammabin.fitsio import write_fits_atomic

__all__ = ["GADF_KEYS", "TIME_REF", "SITE", "write_run_file", "write_irf_file", "write_index_files",
           "run_file_name", "IRF_FILE_NAME"]

GADF_KEYS = {
    "HDUCLASS": "GADF",
    "HDUDOC": "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats",
    "HDUVERS": "0.3",
}
# CTA convention: MET seconds from 2001-01-01T00:00:00 TT
TIME_REF = {"MJDREFI": 51910, "MJDREFF": 7.428703703703703e-4, "TIMESYS": "TT", "TIMEUNIT": "s", "TIMEREF": "LOCAL"}
SITE = {"GEOLON": -17.8920302, "GEOLAT": 28.7621661, "ALTITUDE": 2147.0}  # Roque de los Muchachos
IRF_FILE_NAME = "irfs.fits"
RUN_DIR = "data"
IRF_TYPES = ("aeff", "edisp", "psf", "bkg")


def run_file_name(obs_id):
    return f"run_{int(obs_id):06d}.fits"


def _set_header(header, items):
    for key, value in items.items():
        header[key] = value


def events_hdu(columns, run, meta):
    """EVENTS BinTableHDU; TIME in s from MJDREF (run start = ``run.tstart``)."""
    n = columns["RA"].size
    cols = [
        fits.Column("EVENT_ID", "K", array=np.arange(1, n + 1, dtype=np.int64)),
        fits.Column("TIME", "D", unit="s", array=columns["TIME"] + run.tstart),
        fits.Column("RA", "E", unit="deg", array=columns["RA"].astype(np.float32)),
        fits.Column("DEC", "E", unit="deg", array=columns["DEC"].astype(np.float32)),
        fits.Column("ENERGY", "E", unit="TeV", array=columns["ENERGY"].astype(np.float32)),
        fits.Column("MC_ID", "J", array=columns["MC_ID"].astype(np.int32)),
    ]
    hdu = fits.BinTableHDU.from_columns(cols, name="EVENTS")
    keys = dict(GADF_KEYS, HDUCLAS1="EVENTS")
    keys.update({
        "OBS_ID": int(run.obs_id),
        "TSTART": run.tstart, "TSTOP": run.tstart + run.ontime,
        "ONTIME": run.ontime, "LIVETIME": run.livetime, "DEADC": run.livetime / run.ontime,
        "OBS_MODE": "POINTING", "RA_PNT": run.ra, "DEC_PNT": run.dec,
        "EQUINOX": 2000.0, "RADECSYS": "ICRS",
        **TIME_REF, **SITE,
    })
    keys.update(meta)
    _set_header(hdu.header, keys)
    return hdu


def gti_hdu(run):
    cols = [
        fits.Column("START", "D", unit="s", array=np.array([run.tstart])),
        fits.Column("STOP", "D", unit="s", array=np.array([run.tstart + run.ontime])),
    ]
    hdu = fits.BinTableHDU.from_columns(cols, name="GTI")
    _set_header(hdu.header, dict(GADF_KEYS, HDUCLAS1="GTI", **TIME_REF))
    return hdu


def irf_hdus(irfs):
    return [irfs[name].to_table_hdu() for name in IRF_TYPES]


def write_run_file(path, columns, run, meta, extra_hdus=()):
    hdus = [fits.PrimaryHDU(), events_hdu(columns, run, meta), gti_hdu(run), *extra_hdus]
    write_fits_atomic(fits.HDUList(hdus), path, overwrite=True)


def write_irf_file(path, irfs):
    write_fits_atomic(fits.HDUList([fits.PrimaryHDU(), *irf_hdus(irfs)]), path, overwrite=True)


def _hdu_rows(run, irfs, shared_irfs):
    run_file = run_file_name(run.obs_id)
    rows = [
        (run.obs_id, "events", "events", RUN_DIR, run_file, "EVENTS"),
        (run.obs_id, "gti", "gti", RUN_DIR, run_file, "GTI"),
    ]
    for name in IRF_TYPES:
        irf = irfs[name]
        location = ("", IRF_FILE_NAME) if shared_irfs else (RUN_DIR, run_file)
        rows.append((run.obs_id, name, irf.tag, *location, irf.extname))
    return rows


def write_index_files(base_dir, runs, irfs, shared_irfs, meta, event_counts):
    """``hdu-index.fits.gz`` and ``obs-index.fits.gz`` for ``runs``."""
    rows = [row for run in runs for row in _hdu_rows(run, irfs, shared_irfs)]
    hdu_table = Table(rows=rows, names=("OBS_ID", "HDU_TYPE", "HDU_CLASS", "FILE_DIR", "FILE_NAME", "HDU_NAME"))
    hdu_table["OBS_ID"] = np.asarray(hdu_table["OBS_ID"], dtype=np.int64)
    hdu = fits.BinTableHDU(hdu_table, name="HDU_INDEX")
    _set_header(hdu.header, dict(GADF_KEYS, HDUCLAS1="INDEX", HDUCLAS2="HDU"))
    write_fits_atomic(fits.HDUList([fits.PrimaryHDU(), hdu]), base_dir / "hdu-index.fits.gz", overwrite=True)

    obs = Table()
    obs["OBS_ID"] = np.array([r.obs_id for r in runs], dtype=np.int64)
    obs["RA_PNT"] = np.array([r.ra for r in runs])
    obs["DEC_PNT"] = np.array([r.dec for r in runs])
    obs["TSTART"] = np.array([r.tstart for r in runs])
    obs["TSTOP"] = np.array([r.tstart + r.ontime for r in runs])
    obs["ONTIME"] = np.array([r.ontime for r in runs])
    obs["LIVETIME"] = np.array([r.livetime for r in runs])
    obs["DEADC"] = obs["LIVETIME"] / obs["ONTIME"]
    obs["EVENT_COUNT"] = np.asarray(event_counts, dtype=np.int64)
    obs["OBJECT"] = [str(meta.get("OBJECT", "")) for _ in runs]
    obs["OBS_MODE"] = ["POINTING" for _ in runs]
    for name, unit in (("RA_PNT", "deg"), ("DEC_PNT", "deg"), ("TSTART", "s"), ("TSTOP", "s"), ("ONTIME", "s"), ("LIVETIME", "s")):
        obs[name].unit = unit
    hdu = fits.BinTableHDU(obs, name="OBS_INDEX")
    _set_header(hdu.header, dict(GADF_KEYS, HDUCLAS1="INDEX", HDUCLAS2="OBS", **TIME_REF, **SITE))
    for key in ("TELESCOP", "INSTRUME"):
        if key in meta:
            hdu.header[key] = meta[key]
    write_fits_atomic(fits.HDUList([fits.PrimaryHDU(), hdu]), base_dir / "obs-index.fits.gz", overwrite=True)
