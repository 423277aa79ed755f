"""Helpers of the reliability tests: bad files are modified copies of real DL3 files,
written under a temporary folder (the shared data is never touched)."""
import shutil
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.table import Table

HESS_RUN = "hess-dl3-dr1/data/hess_dl3_dr1_obs_id_023523.fits.gz"
HESS_OBS_ID = 23523
CTA_IRF = "cta-1dc/caldb/data/cta/1dc/bcf/South_z20_50h/irf_file.fits"
KING = "tests/hess_psf_king_023523.fits.gz"
BKG_2D = "tests/irf/bkg_2d_full_example.fits"
MAGIC_RUN = "magic/rad_max/data/20131004_05029747_DL3_CrabNebula-W0.40+035.fits"
OGIP_DIR = "joint-crab/spectra/hess"

_CLASSES = {"events": "events", "gti": "gti", "aeff": "aeff_2d", "edisp": "edisp_2d", "psf": "psf_table", "bkg": "bkg_3d"}
ALL_TYPES = tuple(_CLASSES)


def modified_copy(source, target, hdu, change):
    """Copy FITS ``source`` to ``target`` after ``change(hdulist[hdu])`` (in memory)."""
    with fits.open(source) as hdulist:
        hdulist = fits.HDUList([h.copy() for h in hdulist])
    change(hdulist[hdu])
    hdulist.writeto(target, overwrite=True)
    return Path(target)


def scale_column(name, func):
    def change(hdu):
        hdu.data[name] = func(np.array(hdu.data[name]))
    return change


def set_unit(name, unit):
    def change(hdu):
        hdu.columns[name].unit = unit
    return change


def drop_column(name):
    """Rebuild the table HDU without ``name`` (header keys kept)."""
    def change(hdu):
        table = Table.read(hdu)
        table.remove_column(name)
        new = fits.table_to_hdu(table)
        hdu.data, hdu.header = new.data, new.header
    return change


def write_index(folder, file_name, types=ALL_TYPES, file_dir=".", obs_id=HESS_OBS_ID, extra_rows=0):
    """A GADF HDU index pointing every HDU type of ``obs_id`` at one file."""
    rows = list(types) + list(types[:extra_rows])
    table = Table({
        "OBS_ID": [obs_id] * len(rows),
        "HDU_TYPE": rows,
        "HDU_CLASS": [_CLASSES[t] for t in rows],
        "FILE_DIR": [file_dir] * len(rows),
        "FILE_NAME": [file_name] * len(rows),
        "HDU_NAME": [t.upper() for t in rows],
    })
    table.write(Path(folder) / "hdu-index.fits.gz", overwrite=True)
    return table


def store_with_run(folder, run_path, **kwargs):
    """A one-run data store in ``folder`` whose index points at ``run_path`` (copied in)."""
    from gammabin.data import DataStore

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if Path(run_path).parent != folder:
        shutil.copy(run_path, folder / Path(run_path).name)
    write_index(folder, Path(run_path).name, **kwargs)
    return DataStore.from_dir(folder)


def truncate(source, target, fraction):
    raw = Path(source).read_bytes()
    Path(target).write_bytes(raw[: int(len(raw) * fraction)])
    return Path(target)
