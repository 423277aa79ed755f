"""gammabin.datasets: MapDataset and the Datasets container (gammapy.datasets API)."""
from .core import Dataset
from .datasets import Datasets
from .map_dataset import MapDataset

__all__ = ["Dataset", "Datasets", "MapDataset"]
