"""Map builders shared by MapDatasetMaker, SpectrumDatasetMaker and friends
(datasets-makers.md §2.2–2.4).  Implementation in :mod:`gammabin.makers.builders`."""
from .builders.background import make_map_background_irf
from .builders.counts import make_counts
from .builders.dataset_step import make_map_dataset, make_meta_table, observation_pointing, prepared_background
from .builders.edisp import make_edisp_kernel_map, make_edisp_map
from .builders.exposure import make_map_exposure_true_energy
from .builders.psf import make_psf_map
from .builders.rad_max_counts import make_counts_off_rad_max, make_counts_rad_max

__all__ = [
    "make_map_dataset",
    "make_counts",
    "make_map_exposure_true_energy",
    "make_map_background_irf",
    "make_psf_map",
    "make_edisp_map",
    "make_edisp_kernel_map",
    "make_meta_table",
    "observation_pointing",
    "prepared_background",
    "make_counts_rad_max",
    "make_counts_off_rad_max",
]
