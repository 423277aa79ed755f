"""One run's reduction, as executed on a worker (or in the parent for the serial
backend): rebuild the Observation from its file references, cut the reference
geometries at the pointing, run the makers through the plugin hooks, write the
per-run file when resuming is on.  Everything here must be importable and picklable
by a fresh worker process."""
import logging
import time
import traceback
import warnings

import attrs

from .partial import Partial, fold_partials
from .report import RunReductionError, failure_from_exception
from .resume import run_file, skip_marker, write_skip_marker

__all__ = ["ReductionContext", "RunTask", "reduce_run", "reduce_chunk"]

log = logging.getLogger(__name__)


@attrs.frozen
class ReductionContext:
    """What every task shares; shipped once per worker (Dask scatter/broadcast, pool
    initializer), never per task."""

    makers: tuple
    geoms: dict  # the reference's geometries (no arrays)
    dataset_class: type
    cutout_width: object = None  # Angle, or None: whole geometry
    cutout_mode: str = "trim"
    output_dir: str | None = None
    config_key: str = ""
    to_map_dataset: bool = False  # ON/OFF results converted before stacking
    catch: bool = True  # turn a run's exception into a RunFailure (else raise)


@attrs.frozen
class RunTask:
    """The per-task payload: the run's position in the observation list and where its
    files are (a :class:`RunReference`), or the Observation itself when it lives only in
    memory, plus an optional base dataset (``datasets=`` of ``DatasetsMaker.run``)."""

    index: int
    reference: object = None
    observation: object = None
    base: object = None

    @property
    def obs_id(self):
        if self.reference is not None:
            return self.reference.obs_id
        return getattr(self.observation, "obs_id", None)

    @property
    def files(self):
        return self.reference.files if self.reference is not None else []


def _cutout_position(observation):
    # spec §2.6: the pointing converted to galactic (a round trip that decides pixels, H4)
    return observation.get_pointing_icrs(observation.tmid).galactic


def _empty_cutout(context, position):
    """``from_geoms`` on the reference geometries cut at ``position``: what
    ``reference.cutout(...)`` gives the makers (they read only geometries), without
    ever allocating the reference's maps."""
    from astropy.nddata import NoOverlapError

    from gammabin.irf.irf_map import insertion_slices

    geoms = {}
    for key, geom in context.geoms.items():
        if geom is None:
            continue
        min_npix = 3 if key in ("geom_psf", "geom_edisp") else 1
        cut = geom.cutout(position=position, width=context.cutout_width, mode=context.cutout_mode,
                          min_npix=min_npix)
        if insertion_slices(geom, cut) is None:
            raise NoOverlapError("Arrays do not overlap.")
        geoms[key] = cut
    return context.dataset_class.from_geoms(**geoms)


def _base_dataset(task, context, observation):
    if task.base is not None:
        return task.base
    if context.cutout_width is None:
        return context.dataset_class.from_geoms(**context.geoms)
    return _empty_cutout(context, _cutout_position(observation))


def _make(task, context, pm):
    observation = task.observation if task.observation is not None else task.reference.load()
    pm.hook.gammabin_observation_loaded(observation=observation)
    dataset = _base_dataset(task, context, observation)
    for maker in context.makers:
        dataset = pm.hook.gammabin_run_maker(maker=maker, dataset=dataset, observation=observation)
    pm.hook.gammabin_dataset_made(dataset=dataset, observation=observation, makers=list(context.makers))
    if context.to_map_dataset and type(dataset) is not context.dataset_class and hasattr(dataset, "to_map_dataset"):
        dataset = dataset.to_map_dataset(name=dataset.name)
    return dataset


def _read_previous(path, context):
    try:
        return context.dataset_class.read(path)
    except Exception as exc:  # noqa: BLE001 - an unreadable leftover is simply redone
        log.warning("ignoring unreadable per-run file %s (%s); reducing the run again", path, exc)
        return None


def reduce_run(task, context):
    """Reduce one run; returns a leaf :class:`Partial` (never raises when ``context.catch``)."""
    from astropy.nddata import NoOverlapError

    from gammabin.plugins import get_plugin_manager

    obs_id = task.obs_id
    leaf = Partial(obs_ids=[obs_id])
    path = None
    if context.output_dir is not None and task.reference is not None:
        path = run_file(context.output_dir, context.config_key, task.reference)
        if path.exists():
            dataset = _read_previous(path, context)
            if dataset is not None:
                leaf.pieces, leaf.reused = [(dataset, False)], [obs_id]
                return leaf
        if skip_marker(path).exists():
            leaf.skipped = [(obs_id, "no overlap with the reference geometry (recorded earlier)")]
            return leaf
    start = time.perf_counter()
    try:
        dataset = _make(task, context, get_plugin_manager())
    except NoOverlapError:
        reason = "no overlap with the reference geometry"
        warnings.warn(f"observation {obs_id}: {reason}; skipped", stacklevel=2)
        leaf.skipped = [(obs_id, reason)]
        if path is not None:
            write_skip_marker(path, reason)
        return leaf
    except Exception as exc:  # noqa: BLE001 - reported with obs id, file and traceback
        failure = failure_from_exception(exc, traceback.format_exc(), obs_id, task.files)
        if not context.catch:
            raise RunReductionError(failure.describe(), [failure]) from exc
        leaf.failures = [failure]
        return leaf
    if path is not None:
        dataset.write(path, overwrite=True)
    log.debug("observation %s reduced in %.3f s", obs_id, time.perf_counter() - start)
    leaf.pieces, leaf.reduced = [(dataset, False)], [obs_id]
    return leaf


def reduce_chunk(tasks, context):
    """Reduce consecutive runs and stack them in order into one partial sum.  Chunks
    are cut from the observation list by a fixed size (never by the number of
    workers), so the stacking order stays a function of the observation order."""
    return fold_partials([reduce_run(task, context) for task in tasks], context)
