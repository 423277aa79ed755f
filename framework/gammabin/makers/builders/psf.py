"""PSF maps: PSF at (true-energy centres, rad centres, offset of each IRF pixel),
normalised per (energy, pixel) by Σ 2π r Δr P with r in degrees → deg⁻² (§2.2, DIM §2.5)."""
import numpy as np
from astropy import units as u

from gammabin import kernels

from .irf_eval import psf_table_on_pixels
from .pixels import pixel_grid, pointing_radec_deg
from .quantities import axis_values

__all__ = ["psf_values", "make_psf_map"]


def _psf_raw(psf, energy, rad, offset):
    """(n_E, n_r, n_pix) un-normalised PSF values."""
    if "rad" in psf.axes.names:  # PSF3D table
        return psf_table_on_pixels(psf, energy, rad, offset)
    # parametric PSFs (3GAUSS, KING): their own vectorised evaluate on broadcast floats
    values = psf.evaluate(
        energy_true=energy[:, None, None] * u.TeV,
        rad=rad[None, :, None] * u.deg,
        offset=offset[None, None, :] * u.deg,
    )
    values = np.asarray(getattr(values, "value", values), dtype=float)
    return np.broadcast_to(values, (energy.size, rad.size, offset.size))


def psf_values(psf, pointing, geom):
    """Normalised PSF (deg⁻²) as an array of ``geom.data_shape`` (axes rad, energy_true)."""
    ra0, dec0 = pointing_radec_deg(pointing)
    rad_axis = geom.axes["rad"]
    energy = axis_values(geom.axes["energy_true"], "center", "TeV")
    rad = axis_values(rad_axis, "center", "deg")
    rad_width = np.diff(axis_values(rad_axis, "edges", "deg"))
    offset = pixel_grid(geom).offset(ra0, dec0)
    values = _psf_raw(psf, energy, rad, offset)
    norm = np.sum(values * (2 * np.pi * rad * rad_width)[None, :, None], axis=1, keepdims=True)
    if not values.flags.writeable or not values.flags.c_contiguous:  # parametric: broadcast view
        values = np.array(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        values /= norm  # fresh array: in place, then nan_to_num in place (same numbers)
    kernels.nan_to_num_inplace(values)  # 0/0 where a pixel's PSF is all zero
    return values.reshape(geom.data_shape)


def make_psf_map(psf, pointing, geom, exposure_map=None):
    """``PSFMap`` of ``psf`` on ``geom`` (axes rad, energy_true), values in deg⁻²."""
    from gammabin.irf.psf_map import PSFMap
    from gammabin.maps import Map

    psf_map = Map.from_geom(geom, data=psf_values(psf, pointing, geom), unit="deg-2")
    return PSFMap(psf_map=psf_map, exposure_map=exposure_map)
