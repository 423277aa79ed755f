"""What a reduction did per run: reduced, reused from ``output_dir``, skipped (no
overlap with the reference) or failed (with the worker's exception and traceback)."""
import attrs

from gammabin.errors import GammabinError

__all__ = ["RunFailure", "ReductionReport", "RunReductionError"]


class RunReductionError(GammabinError, RuntimeError):
    """One or more runs failed; the message names each obs id, file and exception."""

    def __init__(self, message, failures=()):
        super().__init__(message)
        self.failures = list(failures)


@attrs.frozen
class RunFailure:
    """A run that raised: where, what, and the traceback text from the worker."""

    obs_id: object
    file: str | None
    exc_type: str
    message: str
    traceback: str

    def describe(self, with_traceback=True):
        text = (f"observation {self.obs_id} (file {self.file}) failed: "
                f"{self.exc_type}: {self.message}")
        if with_traceback and self.traceback:
            text += "\n--- traceback on the worker ---\n" + self.traceback.rstrip()
        return text


def failure_from_exception(exc, traceback_text, obs_id, files):
    """Pick, among the run's files, the one the error text names (else the first)."""
    text = f"{exc}\n{traceback_text}"
    named = next((f for f in files if f and str(f) in text), None)
    file = named or (files[0] if files else None)
    return RunFailure(obs_id=obs_id, file=None if file is None else str(file),
                      exc_type=f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins."),
                      message=str(exc), traceback=traceback_text)


def raise_for_failures(failures):
    if not failures:
        return
    head = f"{len(failures)} run(s) failed during the reduction:\n"
    raise RunReductionError(head + "\n".join(f.describe() for f in failures), failures)


@attrs.define
class ReductionReport:
    """Per-run outcome of ``DatasetsMaker.run`` (obs ids in observation order)."""

    reduced: list = attrs.Factory(list)
    reused: list = attrs.Factory(list)
    skipped: list = attrs.Factory(list)  # (obs_id, reason) — no overlap, or failed with on_error="skip"
    failures: list = attrs.Factory(list)  # RunFailure
    backend: str = "serial"
    n_workers: int = 1
    seconds: float = 0.0

    @property
    def skipped_obs_ids(self):
        return [obs_id for obs_id, _ in self.skipped]

    def __str__(self):
        lines = [f"DatasetsMaker report ({self.backend}, {self.n_workers} worker(s), {self.seconds:.2f} s)",
                 f"  reduced : {len(self.reduced)} {self.reduced}",
                 f"  reused  : {len(self.reused)} {self.reused}",
                 f"  skipped : {len(self.skipped)}"]
        lines += [f"    {obs_id}: {reason}" for obs_id, reason in self.skipped]
        return "\n".join(lines)
