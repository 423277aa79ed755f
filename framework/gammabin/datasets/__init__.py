"""gammabin.datasets: MapDataset and the Datasets container (gammapy.datasets API)."""
from .core import Dataset
from .datasets import Datasets
from .map_dataset import MapDataset
from .spectrum_dataset import SpectrumDataset
from .spectrum_onoff import SpectrumDatasetOnOff
from .map_dataset_onoff import MapDatasetOnOff

__all__ = ["Dataset", "Datasets", "MapDataset", "MapDatasetOnOff", "SpectrumDataset", "SpectrumDatasetOnOff"]
