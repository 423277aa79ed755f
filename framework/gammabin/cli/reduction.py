"""Run a :class:`gammabin.config.Reduction`: ``DatasetsMaker`` over the runs, the
makers that act on the stacked dataset, then files, ``summary.json`` and quick-look
PNGs in the output folder."""
import json
import shutil
import time
from pathlib import Path

import attrs

from ..config import ConfigError

__all__ = ["ReductionResult", "run_reduction", "prepare_output_dir"]

_BACKEND = {"serial": "serial", "processes": "multiprocessing", "dask": "dask"}
_OFF_METHODS = ("reflected", "wobble", "phase")


@attrs.define
class ReductionResult:
    datasets: list  # (name, dataset) to write, stacked last
    per_run: list  # (obs_id, dataset) when available
    report: object
    seconds: float
    files: list = attrs.Factory(list)
    summary: dict = attrs.Factory(dict)


def prepare_output_dir(path, overwrite=False, resume=False, source="<config>"):
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{source}: output.dir: expected a folder, {path} is a file")
    if path.is_dir() and any(path.iterdir()) and not (overwrite or resume):
        raise ConfigError(f"{source}: output.dir: {path} is not empty; expected an empty folder "
                          "(set output.overwrite or output.resume, or pass --overwrite / --resume)")
    if path.is_dir() and overwrite and not resume:
        for child in path.iterdir():
            if child.name == "runs" and child.is_dir():
                shutil.rmtree(child)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _datasets_maker(reduction, stack, out_dir):
    from ..pipeline import DatasetsMaker

    ex = reduction.config.execution
    width = None if ex.cutout_width is None else f"{float(ex.cutout_width)} deg"
    return DatasetsMaker(
        makers=list(reduction.makers), stack_datasets=stack, n_jobs=ex.n_jobs, cutout_mode="trim",
        cutout_width=width, parallel_backend=_BACKEND[ex.backend], on_error=ex.on_error,
        output_dir=str(out_dir / "runs") if reduction.config.output.resume else None,
        scheduler=ex.scheduler)


def _reduce(reduction, stack, out_dir, progress):
    maker = _datasets_maker(reduction, stack, out_dir)
    if progress is not None and reduction.config.execution.backend == "serial":
        with progress.hooked():
            datasets = maker.run(reduction.reference, reduction.observations)
        progress.complete()  # runs reused from output_dir make no dataset_made call
    else:
        datasets = maker.run(reduction.reference, reduction.observations)
        if progress is not None:
            progress.complete()
    return list(datasets), maker.report


def _per_run_ids(reduction, report):
    skipped = set(report.skipped_obs_ids)
    return [obs.obs_id for obs in reduction.observations if obs.obs_id not in skipped]


def run_reduction(reduction, progress=None):
    """Reduce, stack and post-process as configured; returns a :class:`ReductionResult`."""
    from ..datasets import Datasets

    config = reduction.config
    out_dir = reduction.output_dir
    start = time.perf_counter()
    name = config.dataset.name
    is_spectrum = config.dataset.type == "spectrum"
    stack_in_pipeline = config.stack and not is_spectrum
    datasets, report = _reduce(reduction, stack_in_pipeline, out_dir, progress)
    per_run = []
    if stack_in_pipeline:
        stacked = datasets[0]
        if config.dataset.image:
            stacked = stacked.to_image(name=name)
        for maker in reduction.after_stacking:
            stacked = maker.run(stacked)
        outputs = [(name, stacked)]
    else:
        per_run = list(zip(_per_run_ids(reduction, report), datasets))
        if is_spectrum and config.makers is None and config.background.method in _OFF_METHODS:
            kept = [(i, d) for i, d in per_run if getattr(d, "counts_off", None) is not None]
            for obs_id in sorted({i for i, _ in per_run} - {i for i, _ in kept}):
                report.skipped.append((obs_id, "no OFF region found"))
            per_run = kept
        outputs = [(f"obs_{obs_id}", ds) for obs_id, ds in per_run]
        if config.stack and per_run:
            outputs.append((name, Datasets([d for _, d in per_run]).stack_reduce(name=name)))
    return ReductionResult(datasets=outputs, per_run=per_run, report=report, seconds=time.perf_counter() - start)


def write_outputs(result, reduction):
    """Datasets (gammapy's layouts: ``<name>.fits.gz`` maps, OGIP spectra), summary.json, PNGs."""
    from ..datasets import SpectrumDatasetOnOff
    from . import summary as summary_mod

    out_dir = reduction.output_dir
    files = []
    for name, dataset in result.datasets:
        if isinstance(dataset, SpectrumDatasetOnOff):
            path = out_dir / f"{name}.fits"
            dataset.write(path, overwrite=True, format="ogip")
        else:
            path = out_dir / f"{name}.fits.gz"
            dataset.write(path, overwrite=True)
        files.append(path)
    result.summary = summary_mod.build_summary(result, reduction)
    if reduction.config.output.quicklook:
        files += _quicklook(result, reduction)
    result.summary["files"] = [str(Path(f).relative_to(out_dir)) for f in files]
    summary_path = out_dir / "summary.json"
    summary_path.write_text(json.dumps(result.summary, indent=1, default=str) + "\n")
    files.append(summary_path)
    result.files = files
    return files


def _quicklook(result, reduction):
    try:
        from .. import quicklook
    except ImportError as exc:  # matplotlib is the optional "plot" extra
        import warnings

        warnings.warn(f"no quick-look plots: {exc} (pip install 'gammabin[plot]')", stacklevel=2)
        return []
    name, stacked = result.datasets[-1]
    path = reduction.output_dir / f"{name}.png"
    regions = [] if reduction.config.exclusion is None else reduction.config.exclusion.regions
    from ..config.build import sky_region

    exclusion = [sky_region(c) for c in regions]
    if reduction.config.dataset.type == "spectrum":
        quicklook.plot_spectrum_dataset(stacked, path, title=f"{name}: {len(result.per_run)} run(s)")
    else:
        quicklook.plot_map_dataset(stacked, path, on_region=reduction.on_region, exclusion_regions=exclusion,
                                   title=f"{name}")
    return [path]
