"""A per-run progress bar (rich), silent when stdout is not a terminal.

The serial backend reduces runs in this process, so the bar advances on the
``gammabin_dataset_made`` hook; the process and Dask backends reduce runs elsewhere
and the bar advances when their results come back."""
import sys
import uuid

from .. import hookimpl

__all__ = ["RunProgress"]


class _DatasetMadeHook:
    def __init__(self, advance):
        self._advance = advance

    @hookimpl
    def gammabin_dataset_made(self, dataset, observation, makers):
        self._advance(getattr(observation, "obs_id", None))


class RunProgress:
    """``with RunProgress(n, "reducing") as progress: progress.advance(obs_id)``;
    ``progress.hooked()`` is a context manager that advances on each made dataset."""

    def __init__(self, total, description="reducing runs", enabled=None):
        self.total = total
        self.description = description
        self.enabled = sys.stdout.isatty() if enabled is None else enabled
        self.done = 0
        self._progress = None
        self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), TextColumn("{task.fields[last]}"), transient=False)
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=self.total, last="")
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()
        return False

    def advance(self, obs_id=None, steps=1):
        self.done += steps
        if self._progress is not None:
            self._progress.update(self._task, advance=steps, last="" if obs_id is None else f"run {obs_id}")

    def complete(self):
        """Jump to the end (results of a parallel backend came back)."""
        if self.done < self.total:
            self.advance(steps=self.total - self.done)

    def hooked(self):
        return _Hooked(self)


class _Hooked:
    def __init__(self, progress):
        self.progress = progress
        self.name = f"gammabin-progress-{uuid.uuid4().hex[:8]}"

    def __enter__(self):
        from ..plugins import get_plugin_manager

        get_plugin_manager().register(_DatasetMadeHook(self.progress.advance), name=self.name)
        return self.progress

    def __exit__(self, *exc):
        from ..plugins import get_plugin_manager

        get_plugin_manager().unregister(name=self.name)
        return False
