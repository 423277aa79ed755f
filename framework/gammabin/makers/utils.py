"""gammapy's ``makers.utils`` names (datasets-makers.md §2.3): the map builders and
small helpers around them."""
from .map_builders import (
    make_counts,
    make_counts_off_rad_max,
    make_counts_rad_max,
    make_edisp_kernel_map,
    make_edisp_map,
    make_map_background_irf,
    make_map_exposure_true_energy,
    make_psf_map,
)

__all__ = [
    "make_counts",
    "make_map_exposure_true_energy",
    "make_map_background_irf",
    "make_psf_map",
    "make_edisp_map",
    "make_edisp_kernel_map",
    "make_counts_rad_max",
    "make_counts_off_rad_max",
    "guess_instrument_fov",
]


def guess_instrument_fov(obs):
    """Centre of the last AEFF offset bin (2.5° for H.E.S.S. DR1) as an Angle.

    ValueError without an effective area, for a point-like one, or without offset axis."""
    from astropy.coordinates import Angle

    aeff = getattr(obs, "aeff", None)
    if aeff is None:
        raise ValueError(f"No effective area in observation {getattr(obs, 'obs_id', None)}: cannot guess the FoV")
    if getattr(aeff, "is_pointlike", False):
        raise ValueError(f"Effective area of observation {getattr(obs, 'obs_id', None)} is point-like: cannot guess the FoV")
    if "offset" not in aeff.axes.names:
        raise ValueError(f"Effective area of observation {getattr(obs, 'obs_id', None)} has no offset axis")
    return Angle(aeff.axes["offset"].center[-1])
