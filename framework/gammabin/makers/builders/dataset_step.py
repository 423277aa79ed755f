"""The shared run step of the dataset makers (datasets-makers.md §2.2): read the
reference dataset's geometries, build each selected map for one observation and return
a new dataset of the same class and name."""
import logging
import threading
import weakref

import numpy as np

from .background import make_map_background_irf
from .counts import counts_parts, make_counts
from .edisp import make_edisp_kernel_map, make_edisp_map
from .exposure import make_map_exposure_true_energy
from .psf import make_psf_map
from .rad_max_counts import make_counts_rad_max
from .regions import containment_correction_values
from .threads import builder_threads, run_tasks

__all__ = ["make_map_dataset", "prepared_background", "observation_pointing", "make_meta_table"]

ALL_SELECTION = ("counts", "exposure", "background", "psf", "edisp")

# Prepared (filled / padded) copies of cached background models, per source object.
_PREPARED = weakref.WeakKeyDictionary()
_PREPARED_SHARED = {}
_PREPARED_LOCK = threading.RLock()  # makers may be run from several threads

log = logging.getLogger(__name__)


def prepared_background(bkg, interp_missing_data=True, pad_offset=True):
    """The background model with the maker's steps (1)–(2) applied, on a copy (cached)."""
    if bkg is None or not (interp_missing_data or pad_offset):
        return bkg
    with _PREPARED_LOCK:
        return _prepared_background(bkg, interp_missing_data, pad_offset)


def _prepared_background(bkg, interp_missing_data, pad_offset):
    key = (bool(interp_missing_data), bool(pad_offset))
    shared = _shared_key(bkg, key)
    if shared is not None:
        cached = _PREPARED_SHARED.get(shared)
        if cached is not None and cached[0] is bkg.data and cached[1] is bkg.axes:
            return cached[2]
    try:
        per_bkg = _PREPARED.setdefault(bkg, {})
    except TypeError:
        per_bkg = {}
    cached = per_bkg.get(key)
    if cached is not None and cached[0] is bkg.data:
        return cached[1]
    prepared = bkg
    if interp_missing_data:
        prepared = bkg.copy()
        prepared.interp_missing_data(axis_name="energy")
    if pad_offset and "offset" in bkg.axes.names:
        prepared = prepared.pad(1, axis_name="offset", mode="edge")
    if prepared is not bkg:  # our own copy: read-only, so its interpolation grid is cached
        prepared.data.setflags(write=False)
    per_bkg[key] = (bkg.data, prepared)
    if shared is not None:
        _PREPARED_SHARED[shared] = (bkg.data, bkg.axes, prepared)
        while len(_PREPARED_SHARED) > 32:
            _PREPARED_SHARED.pop(next(iter(_PREPARED_SHARED)))
    return prepared


def _shared_key(bkg, options):
    """Key of a read-only (data layer's shared) background table: every view of one
    cached IRF gets the same prepared copy.  The entry holds the data array, so its id
    cannot be reused while cached."""
    data = getattr(bkg, "data", None)
    if not isinstance(data, np.ndarray) or data.flags.writeable:
        return None
    alignment = getattr(bkg, "fov_alignment", None)
    return (id(data), id(bkg.axes), str(bkg.unit), str(getattr(alignment, "value", alignment)), options)


def observation_pointing(observation):
    """ICRS (ra, dec) degrees of ``get_pointing_icrs(tmid)``."""
    fast = getattr(observation, "_pointing_radec_deg", None)
    if fast is not None:
        return tuple(fast)
    icrs = observation.get_pointing_icrs(observation.tmid)
    return float(icrs.ra.deg), float(icrs.dec.deg)


def make_meta_table(observation):
    """One row: TELESCOP (AEFF header, else Unknown), OBS_ID, then the pointing keys."""
    from astropy.table import Table

    aeff = getattr(observation, "aeff", None)
    telescope = (getattr(aeff, "meta", None) or {}).get("TELESCOP", "Unknown")
    row = {"TELESCOP": telescope, "OBS_ID": observation.obs_id}
    pointing = getattr(observation, "pointing", None)
    if pointing is not None and hasattr(pointing, "to_fits_header"):
        row.update(pointing.to_fits_header())
    return Table([row])


def _geoms(dataset):
    geoms = dict(dataset.geoms)
    if "geom" not in geoms:
        raise ValueError(f"Dataset {dataset.name!r} has no counts geometry to make maps on")
    return geoms


def _zeros(geom, dtype="float32"):
    from gammabin.maps import Map

    return Map.from_geom(geom, dtype=dtype)


def _irf_exposure(observation, pointing, livetime, geom, axis_name):
    return make_map_exposure_true_energy(pointing, livetime, observation.aeff, geom.squash(axis_name=axis_name))


def _make_counts(geom, observation):
    """Counts; a point region (point-like IRFs) counts within RAD_MAX (§2.4)."""
    if getattr(geom, "is_region", False) and geom.is_all_point_sky_regions:
        if observation.rad_max is None:
            raise ValueError(f"Observation {observation.obs_id}: a point ON region needs a RAD_MAX "
                             "(point-like IRFs with a RAD_MAX_2D table or RAD_MAX header key)")
        return make_counts_rad_max(geom, observation.rad_max, observation.events)
    return make_counts(geom, observation.events)


def _make_exposure(maker, observation, pointing, livetime, geom):
    """Exposure with the spectrum maker's options: region-centre or weighted pixels,
    PSF containment correction (datasets-makers.md §2.4)."""
    use_region_center = getattr(maker, "use_region_center", True)
    exposure = make_map_exposure_true_energy(pointing, livetime, observation.aeff, geom,
                                             use_region_center=use_region_center)
    is_pointlike = bool(getattr(observation.aeff, "is_pointlike", False))
    exposure.meta["livetime"] = livetime
    exposure.meta["is_pointlike"] = is_pointlike
    if is_pointlike and use_region_center is False:
        log.warning("MapMaker: use_region_center=False should not be used with point-like IRF. "
                    "Results are likely inaccurate.")
    if getattr(maker, "containment_correction", False):
        exposure.data = exposure.data * containment_correction_values(observation, geom, pointing)
    return exposure


def _can_run_in_threads(maker, observation, geoms):
    """Builders may run concurrently for a gammabin ``Observation`` (its lazy attributes
    are plain dict reads once loaded) on WCS geometries; region geometries (spectra)
    and containment correction stay serial (their caches are not locked)."""
    from gammabin.data.observation import Observation

    if not isinstance(observation, Observation) or getattr(maker, "containment_correction", False):
        return False
    return not any(getattr(g, "is_region", False) for g in geoms.values())


def _load_inputs(observation, selection, geoms, events=True):
    """Load the observation's lazy attributes the selected builders read, on the calling
    thread and in the order the builders read them (same first error, if any).

    ``events=False``: the counts task loads the events itself (threaded runs: reading
    ~10⁵ events overlaps the IRF builders; no other task reads the event list, and the
    others' attributes are then loaded, so they only read the observation's dicts)."""
    names = []
    if "counts" in selection and events:
        names.append("events")
    if "exposure" in selection and "geom_exposure" in geoms:
        names.append("aeff")
    if "background" in selection:
        names.append("bkg")
    for name in ("psf", "edisp"):
        if name in selection and f"geom_{name}" in geoms:
            names += ["aeff", name]  # the IRF map's exposure, then the IRF
    for name in names:
        getattr(observation, name)


# Dispatch order for two threads: longest builders first (background, then counts of
# ~10⁵ events or the EDISP kernels), the short ones fill in.
_DISPATCH_ORDER = ("background", "counts", "counts:2", "edisp", "psf", "exposure")
_SPLIT_COUNTS_MIN_EVENTS = 50_000  # below, one thread bins them faster than two


def _n_events(observation):
    """Number of rows of the EVENTS table from its header (no data read), 0 if unknown."""
    header = getattr(observation, "_events_header", None) or {}
    try:
        return int(header.get("NAXIS2", 0))
    except (TypeError, ValueError):
        return 0


def make_map_dataset(maker, dataset, observation):
    """Run ``maker`` (a MapDatasetMaker-like attrs object with ``selection`` and the
    background options) on ``observation`` over ``dataset``'s geometries.

    The selected builders are independent (each makes its own map from read-only
    inputs): with ``GAMMABIN_THREADS`` > 1 they run on a small thread pool
    (``threads.run_tasks``), with the same numbers as the serial loop."""
    from gammabin.maps import Map

    selection = list(getattr(maker, "selection", None) or ALL_SELECTION)
    geoms = _geoms(dataset)
    geom = geoms["geom"]
    pointing = observation_pointing(observation)
    kwargs = {"gti": observation.gti, "meta_table": make_meta_table(observation)}
    kwargs["mask_safe"] = Map.from_geom(geom, data=np.ones(geom.data_shape, dtype=bool))

    threaded = builder_threads() > 1 and _can_run_in_threads(maker, observation, geoms)
    split_counts = threaded and "counts" in selection and (
        _n_events(observation) >= _SPLIT_COUNTS_MIN_EVENTS)
    _load_inputs(observation, selection, geoms, events=not threaded or split_counts)
    tasks = {}  # map name -> builder, in the serial order
    finish = {}  # map name -> joins the results of "<name>" and "<name>:2"
    if split_counts:  # the longest builder for CTA-sized event lists: both threads share it
        parts, assemble = counts_parts(observation.events, geom, 2)
        tasks["counts"], tasks["counts:2"] = parts
        finish["counts"] = lambda first, second: Map.from_geom(geom, data=assemble([first, second]), unit="")
    else:
        tasks["counts"] = (lambda: _make_counts(geom, observation)) if "counts" in selection else (lambda: _zeros(geom))
    livetime = observation.observation_live_time_duration
    use_region_center = getattr(maker, "use_region_center", True)
    if "exposure" in selection and "geom_exposure" in geoms:
        tasks["exposure"] = lambda: _make_exposure(maker, observation, pointing, livetime, geoms["geom_exposure"])
    if "background" in selection:
        bkg = prepared_background(
            observation.bkg,
            interp_missing_data=getattr(maker, "background_interp_missing_data", True),
            pad_offset=getattr(maker, "background_pad_offset", True),
        )
        ontime, tstart = observation.observation_time_duration, getattr(observation, "tstart", None)
        fov_rotation_step = getattr(maker, "fov_rotation_step", None)
        oversampling = getattr(maker, "background_oversampling", None)
        tasks["background"] = lambda: make_map_background_irf(
            pointing, ontime, bkg, geom, time_start=tstart, fov_rotation_step=fov_rotation_step,
            oversampling=oversampling, use_region_center=use_region_center,
        )
    if "psf" in selection and "geom_psf" in geoms:
        tasks["psf"] = lambda: _make_psf(observation, pointing, livetime, geoms["geom_psf"])
    if "edisp" in selection and "geom_edisp" in geoms:
        tasks["edisp"] = lambda: _make_edisp(observation, pointing, livetime, geoms["geom_edisp"])
    names = list(tasks)
    if threaded:
        order = sorted(range(len(names)), key=lambda i: _DISPATCH_ORDER.index(names[i]))
        results = run_tasks([tasks[name] for name in names], order=order)
    else:
        results = [tasks[name]() for name in names]
    made = dict(zip(names, results))
    for name, join in finish.items():
        made[name] = join(made[name], made.pop(f"{name}:2"))
    kwargs.update(made)
    return dataset.__class__(name=dataset.name, **kwargs)


def _make_psf(observation, pointing, livetime, geom_psf):
    exposure_psf = _irf_exposure(observation, pointing, livetime, geom_psf, geom_psf.axes[0].name)
    return make_psf_map(observation.psf, pointing, geom_psf, exposure_map=exposure_psf)


def _make_edisp(observation, pointing, livetime, geom_edisp):
    first = geom_edisp.axes[0].name
    exposure_edisp = _irf_exposure(observation, pointing, livetime, geom_edisp, first)
    if first.lower() == "migra":
        return make_edisp_map(observation.edisp, pointing, geom_edisp, exposure_map=exposure_edisp)
    return make_edisp_kernel_map(observation.edisp, pointing, geom_edisp, exposure_map=exposure_edisp)
