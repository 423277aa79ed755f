"""``simulate_data_store``: pointings × livetimes × IRFs × sky model → a GADF data store."""
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.io import fits

from gammabin.errors import DataFormatError, MissingHDUError

from . import store
from .events import RunSetup, expected_background_counts, expected_source_counts, generate_run_events
from .instrument import BuiltinInstrument
from .pointings import Pointing
from .sky_model import SkyModel

__all__ = ["simulate_data_store", "simulate_scene", "simulate_runs", "load_irfs", "resolve_irfs", "make_runs",
           "expected_counts"]

_CLASS2_TYPES = {"EFF_AREA": "aeff", "EDISP": "edisp", "RPSF": "psf", "PSF": "psf", "BKG": "bkg"}
DEFAULT_T_START = 6.6e8  # s after MJDREF (2021-12-01)


def load_irfs(filename):
    """{"aeff", "edisp", "psf", "bkg"} read from one GADF IRF file (e.g. CTA prod5);
    HDUs recognised by HDUCLAS1 = RESPONSE, HDUCLAS2 and HDUCLAS4."""
    from gammabin.irf import read_irf_hdu

    path = Path(filename)
    found = {}
    with fits.open(path, memmap=False) as hdulist:
        for hdu in hdulist[1:]:
            header = hdu.header
            if str(header.get("HDUCLAS1", "")).strip().upper() != "RESPONSE":
                continue
            kind = _CLASS2_TYPES.get(str(header.get("HDUCLAS2", "")).strip().upper())
            if kind is None or kind in found:
                continue
            found[kind] = read_irf_hdu(hdu, str(header.get("HDUCLAS4", "")).strip().lower(), kind, str(path))
    missing = [k for k in store.IRF_TYPES if k not in found]
    if missing:
        raise MissingHDUError(f"file {path}: no RESPONSE HDU for {missing} (need AEFF, EDISP, PSF and BKG)")
    return found


def resolve_irfs(irfs):
    """IRF dict from a ``BuiltinInstrument``, a file name or a dict of IRF objects."""
    if irfs is None:
        irfs = BuiltinInstrument()
    if isinstance(irfs, BuiltinInstrument):
        return dict(irfs.irfs())
    if isinstance(irfs, (str, Path)):
        return load_irfs(irfs)
    missing = [k for k in store.IRF_TYPES if irfs.get(k) is None]
    if missing:
        raise DataFormatError(f"IRFs for simulation lack {missing}; need aeff, edisp, psf and bkg")
    return dict(irfs)


def _seconds(value):
    return u.Quantity(value, u.s).to_value(u.s) if isinstance(value, u.Quantity) else np.asarray(value, dtype=float)


def _axis_range(irf, name):
    edges = irf.axes[name].edges.to_value("TeV")
    return float(edges[0]), float(edges[-1])


def make_runs(pointings, livetime, irfs, deadc=0.95, obs_id_start=1, t_start=DEFAULT_T_START, gap=600.0,
              energy_true=None, energy_reco=None):
    """One ``RunSetup`` per pointing; ``livetime`` (s or Quantity) scalar or per run."""
    pointings = [p if isinstance(p, Pointing) else Pointing(*map(float, p)) for p in pointings]
    livetimes = np.broadcast_to(_seconds(livetime), (len(pointings),))
    if not 0 < deadc <= 1:
        raise ValueError(f"deadc must be in (0, 1], got {deadc}")
    energy_true = tuple(map(float, energy_true)) if energy_true is not None else _axis_range(irfs["aeff"], "energy_true")
    energy_reco = tuple(map(float, energy_reco)) if energy_reco is not None else _axis_range(irfs["bkg"], "energy")
    runs, tstart = [], float(t_start)
    for index, (pointing, live) in enumerate(zip(pointings, livetimes)):
        ontime = float(live) / deadc
        runs.append(RunSetup(obs_id=obs_id_start + index, ra=pointing.ra, dec=pointing.dec, livetime=float(live),
                             ontime=ontime, energy_true=energy_true, energy_reco=energy_reco, tstart=tstart))
        tstart += ontime + gap
    return runs


def expected_counts(irfs, sky_model, run):
    """{"sources": [expected detected photons per source, before PSF/EDISP], "background": n}."""
    return {
        "sources": [expected_source_counts(irfs["aeff"], s, run) for s in sky_model],
        "background": expected_background_counts(irfs["bkg"], run),
    }


def _header_meta(irfs, sky_model, target, object_name):
    aeff_meta = getattr(irfs["aeff"], "meta", {}) or {}
    meta = {
        "TELESCOP": str(aeff_meta.get("TELESCOP", "GAMMABIN-SIM")),
        "INSTRUME": str(aeff_meta.get("INSTRUME", "simulated")),
        "CREATOR": "gammabin.simulate",
    }
    sources = list(sky_model)
    if target is None and sources:
        target = (sources[0].ra, sources[0].dec)
    if target is not None:
        meta["RA_OBJ"], meta["DEC_OBJ"] = float(target[0]), float(target[1])
    meta["OBJECT"] = object_name or (sources[0].name if sources else "empty field")
    return meta


def simulate_data_store(path, pointings, livetime, irfs=None, sky_model=(), seed=0, obs_id_start=1, deadc=0.95,
                        energy_true=None, energy_reco=None, shared_irfs=True, target=None, object_name=None,
                        t_start=DEFAULT_T_START, overwrite=False):
    """Simulate one run per pointing into ``path`` and return its ``DataStore``.

    ``irfs``: ``BuiltinInstrument`` (default), a GADF IRF file name, or a dict of IRF
    objects.  ``livetime`` in s (or Quantity), scalar or per run; ontime = livetime /
    ``deadc``.  Run ``i`` draws from ``numpy.random.default_rng([seed, obs_id])``: each
    run is reproducible on its own.  Source photons are simulated in the true-energy
    range ``energy_true`` (default: the AEFF axis), events kept in ``energy_reco``
    (default: the BKG axis).  ``shared_irfs``: one ``irfs.fits`` referenced by every
    run (small per-run files) instead of IRF HDUs in each run file."""
    from gammabin.data import DataStore

    base = Path(path)
    if (base / "hdu-index.fits.gz").exists() and not overwrite:
        raise FileExistsError(f"{base} already holds a data store (use overwrite=True)")
    irfs = resolve_irfs(irfs)
    sky_model = sky_model if isinstance(sky_model, SkyModel) else SkyModel(sky_model)
    runs = make_runs(pointings, livetime, irfs, deadc=deadc, obs_id_start=obs_id_start, t_start=t_start,
                     energy_true=energy_true, energy_reco=energy_reco)
    meta = _header_meta(irfs, sky_model, target, object_name)
    extra = () if shared_irfs else store.irf_hdus(irfs)
    if shared_irfs:
        store.write_irf_file(base / store.IRF_FILE_NAME, irfs)
    counts = []
    for run in runs:
        columns = generate_run_events(irfs, sky_model, run, seed=[int(seed), int(run.obs_id)])
        store.write_run_file(base / store.RUN_DIR / store.run_file_name(run.obs_id), columns, run, meta, extra)
        counts.append(columns["RA"].size)
    store.write_index_files(base, runs, irfs, shared_irfs, meta, counts)
    return DataStore.from_dir(base)


def simulate_scene(path, scene, seed=0, **kwargs):
    """``simulate_data_store`` for a ``Scene`` (e.g. ``crab_like_scene()``)."""
    kwargs.setdefault("target", (scene.target_ra, scene.target_dec))
    kwargs.setdefault("object_name", scene.name)
    return simulate_data_store(path, scene.pointings, scene.livetime, scene.instrument, scene.sky_model,
                               seed=seed, **kwargs)


def simulate_runs(path, n_runs, events_per_run=None, scene=None, seed=0, **kwargs):
    """CLI entry: ``n_runs`` runs of ``scene`` (default Crab-like, wobbles cycled) into
    ``path``; with ``events_per_run`` the livetime is set so that each run expects that
    many events (source + background)."""
    from .scenes import crab_like_scene

    scene = scene or crab_like_scene()
    pointings = [scene.pointings[i % len(scene.pointings)] for i in range(int(n_runs))]
    livetime = scene.livetime
    if events_per_run is not None:
        irfs = resolve_irfs(scene.instrument)
        deadc = kwargs.get("deadc", 0.95)
        probe = make_runs(pointings[:1], 1.0, irfs, deadc=deadc, energy_true=kwargs.get("energy_true"),
                          energy_reco=kwargs.get("energy_reco"))[0]
        expected = expected_counts(irfs, scene.sky_model, probe)
        per_second = sum(expected["sources"]) + expected["background"]
        livetime = float(events_per_run) / per_second
    kwargs.setdefault("target", (scene.target_ra, scene.target_dec))
    kwargs.setdefault("object_name", scene.name)
    return simulate_data_store(path, pointings, livetime, scene.instrument, scene.sky_model, seed=seed, **kwargs)
