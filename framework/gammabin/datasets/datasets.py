"""``Datasets``: an ordered, name-unique list of datasets (spec §1.10 basics)."""
import numpy as np
from astropy.table import Table

__all__ = ["Datasets"]


class Datasets:
    """List-like container of datasets with unique names."""

    def __init__(self, datasets=None):
        if datasets is None:
            datasets = []
        elif isinstance(datasets, Datasets):
            datasets = list(datasets)
        elif not isinstance(datasets, (list, tuple)):
            datasets = [datasets]
        self._datasets = []
        for d in datasets:
            self.append(d)

    @property
    def names(self):
        return [d.name for d in self._datasets]

    def _check_name(self, name):
        if name in self.names:
            raise ValueError(f"Dataset names must be unique, {name!r} is already in {self.names}")

    def append(self, dataset):
        self._check_name(dataset.name)
        self._datasets.append(dataset)

    def extend(self, datasets):
        for d in datasets:
            self.append(d)

    def insert(self, idx, dataset):
        self._check_name(dataset.name)
        self._datasets.insert(idx, dataset)

    def index(self, key):
        if isinstance(key, str):
            return self.names.index(key)
        if isinstance(key, (int, np.integer)):
            return int(key)
        return self._datasets.index(key)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return Datasets(self._datasets[key])
        if isinstance(key, (list, np.ndarray)):
            return Datasets([self[k] for k in key])
        return self._datasets[self.index(key)]

    def __setitem__(self, key, dataset):
        idx = self.index(key)
        if dataset.name != self._datasets[idx].name:
            self._check_name(dataset.name)
        self._datasets[idx] = dataset

    def __delitem__(self, key):
        del self._datasets[self.index(key)]

    def __len__(self):
        return len(self._datasets)

    def __iter__(self):
        return iter(self._datasets)

    def __contains__(self, key):
        return key in self.names if isinstance(key, str) else key in self._datasets

    @property
    def is_all_same_type(self):
        return len({type(d) for d in self._datasets}) <= 1

    def stack_reduce(self, name=None, nan_to_num=True):
        """Stack all datasets into a masked copy of the first (``to_masked``)."""
        if not self.is_all_same_type:
            raise ValueError("Stacking impossible: all Datasets contained are not of a unique type.")
        if not len(self):
            raise ValueError("No datasets to stack")
        stacked = self[0].to_masked(name=name, nan_to_num=nan_to_num)
        for dataset in self[1:]:
            stacked.stack(dataset, nan_to_num=nan_to_num)
        return stacked

    def info_table(self, cumulative=False):
        """One row of ``info_dict`` per dataset (cumulative: of the running stack)."""
        if not cumulative:
            rows = [d.info_dict() for d in self._datasets]
        else:
            rows = []
            stacked = self[0].to_masked(name="stacked")
            rows.append(stacked.info_dict())
            for d in self[1:]:
                stacked.stack(d)
                rows.append(stacked.info_dict())
        return Table(rows=rows) if rows else Table()

    def copy(self):
        return Datasets([d.copy(name=d.name) for d in self._datasets])

    def __str__(self):
        lines = ["Datasets", "--------", ""]
        for i, d in enumerate(self._datasets):
            lines += [f"Dataset {i}: ", "", f"  Type       : {d.tag}", f"  Name       : {d.name}", ""]
        return "\n".join(lines)
