"""Shared PSF behaviour: containment radius, PSF-map normalisation (spec §2.5)."""
import numpy as np
from astropy import units as u

__all__ = ["PSFMixin", "rad_axis_default", "normalize_psf_map", "RAD_MAX_DEFAULT"]

RAD_MAX_DEFAULT = 0.66  # deg; dataset default rad axis 0–0.66° in 66 bins


def rad_axis_default():
    from gammabin.maps import MapAxis

    return MapAxis.from_bounds(0, RAD_MAX_DEFAULT, nbin=66, node_type="edges", name="rad", unit="deg")


def normalize_psf_map(values, rad_centres_deg, rad_widths_deg, axis):
    """Divide PSF values by ``Σ_r value·2π r_c Δr`` along ``axis`` (r in deg) → deg⁻²;
    NaN (0/0) → 0.  ``values`` must have the rad dimension at ``axis``."""
    shape = [1] * values.ndim
    shape[axis] = -1
    r = np.asarray(rad_centres_deg, dtype=float).reshape(shape)
    dr = np.asarray(rad_widths_deg, dtype=float).reshape(shape)
    total = np.cumsum(2 * np.pi * r * (values * dr), axis=axis).max(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(values / total)


class PSFMixin:
    """``containment_radius`` and ``_map_values`` for every PSF class.

    Subclasses provide ``containment(rad, energy_true, offset)`` and
    ``_evaluate_float(energy_true_tev, offset_deg, rad_deg)``."""

    def _rad_axis_for_radius(self):
        return self.axes["rad"] if "rad" in self.axes.names else rad_axis_default()

    def containment_radius(self, fraction, factor=20, **kwargs):
        """Radius (deg) whose containment is closest to ``fraction``, searched over the
        centres of the rad axis upsampled ×``factor`` (no interpolation, as gammapy)."""
        shape = np.broadcast(*[np.asarray(getattr(v, "value", v)) for v in kwargs.values()], fraction).shape
        rad = self._rad_axis_for_radius().upsample(factor=factor).center
        rad = rad.reshape((-1,) + (1,) * len(shape))
        containment = np.asarray(u.Quantity(self.containment(rad=rad, **kwargs)).to_value(u.one))
        idx = np.argmin(np.abs(containment - np.asarray(fraction)), axis=0)
        return u.Quantity(rad.value.ravel()[idx].reshape(shape), rad.unit)

    def _map_values(self, rad_centres_deg, rad_widths_deg, energy_true_tev, offset_deg):
        """PSF-map block: (n_energy, n_rad, *offset.shape), normalised to deg⁻² over rad.

        Evaluated at the rad-axis centres, true-energy centres and the offset of each
        IRF pixel centre; the normalisation uses the rad-axis widths (spec §2.5)."""
        offset = np.asarray(offset_deg, dtype=float)
        tail = (np.newaxis,) * offset.ndim
        energy = np.asarray(energy_true_tev, dtype=float)[(slice(None), np.newaxis) + tail]
        rad = np.asarray(rad_centres_deg, dtype=float)[(np.newaxis, slice(None)) + tail]
        values = self._evaluate_float(energy, offset[np.newaxis, np.newaxis], rad)
        values = np.broadcast_to(values, energy.shape[:1] + rad.shape[1:2] + offset.shape)
        return normalize_psf_map(np.asarray(values, dtype=float), rad_centres_deg, rad_widths_deg, axis=1)
