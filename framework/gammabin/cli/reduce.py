"""``gammabin reduce CONFIG.yaml``: observations → datasets as a config says (gammabin's
own layout or a gammapy ``AnalysisConfig``), with a per-run progress bar, a closing
summary table, ``summary.json`` and quick-look PNGs in the output folder."""
import sys

__all__ = ["ReduceCommand", "reduce_file"]


def apply_overrides(config, args):
    out = config.output
    if getattr(args, "out", None):
        out.dir = args.out
    if getattr(args, "overwrite", False):
        out.overwrite = True
    if getattr(args, "resume", False):
        out.resume = True
    if getattr(args, "no_plots", False):
        out.quicklook = False
    ex = config.execution
    if getattr(args, "backend", None):
        ex.backend = args.backend
    if getattr(args, "n_jobs", None):
        ex.n_jobs = args.n_jobs
    if getattr(args, "scheduler", None):
        ex.backend, ex.scheduler = "dask", args.scheduler
    return config


def reduce_config(config, source, quiet=False, title="gammabin reduce"):
    """Build, run, write and summarise one config; returns the ReductionResult."""
    from ..config import build_reduction
    from .progress import RunProgress
    from .reduction import prepare_output_dir, run_reduction, write_outputs
    from .summary import print_summary

    reduction = build_reduction(config, source)
    prepare_output_dir(reduction.output_dir, config.output.overwrite, config.output.resume, source)
    enabled = None if not quiet else False
    with RunProgress(len(reduction.observations), f"reducing {len(reduction.observations)} run(s)",
                     enabled=enabled) as progress:
        result = run_reduction(reduction, progress)
    write_outputs(result, reduction)
    if not quiet:
        print_summary(result.summary, title=f"{title}: {reduction.output_dir}")
    return result


def reduce_file(path, args=None, quiet=False):
    from ..config import load_config

    config = load_config(path)
    if args is not None:
        apply_overrides(config, args)
    return reduce_config(config, str(path), quiet=quiet)


class ReduceCommand:
    name = "reduce"
    help = "reduce observations to datasets as a YAML config says (gammabin's or gammapy's AnalysisConfig)"

    def add_arguments(self, parser):
        parser.add_argument("config", help="YAML config file")
        parser.add_argument("--out", help="output folder (overrides output.dir)")
        parser.add_argument("--overwrite", action="store_true", help="replace the outputs in a non-empty folder")
        parser.add_argument("--resume", action="store_true", help="keep per-run files in OUT/runs and reuse them")
        parser.add_argument("--backend", choices=["serial", "processes", "dask"], help="executor (overrides execution.backend)")
        parser.add_argument("--n-jobs", type=int, help="worker processes")
        parser.add_argument("--scheduler", help="Dask scheduler address (implies --backend dask)")
        parser.add_argument("--no-plots", action="store_true", help="no quick-look PNGs")
        parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary table")

    def run(self, args):
        from ..config import ConfigError
        from ..errors import GammabinError

        try:
            reduce_file(args.config, args, quiet=args.quiet)
        except ConfigError as exc:
            print(f"gammabin reduce: error: {exc}", file=sys.stderr)
            return 2
        except GammabinError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            print(f"gammabin reduce: error: {first}", file=sys.stderr)
            return 1
        return 0
