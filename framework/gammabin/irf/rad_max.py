"""RAD_MAX_2D — ``RadMax2D`` (spec §2.7)."""
import numpy as np
from astropy import units as u

from .core import IRF

__all__ = ["RadMax2D"]


class RadMax2D(IRF):
    """Energy- and offset-dependent ON-region radius (deg) vs (reco energy [log], offset)."""

    tag = "rad_max_2d"
    required_axes = ("energy", "offset")
    default_unit = u.deg
    extname = "RAD_MAX"
    column_name = "RAD_MAX"
    hduclas2 = "RAD_MAX"
    hduclas4 = "RAD_MAX_2D"

    @classmethod
    def from_irf(cls, irf):
        """Fixed cut from a point-like IRF's ``RAD_MAX`` header key: one bin spanning the
        IRF's true-energy and offset ranges, nearest lookup, no out-of-range fill."""
        if not irf.is_pointlike:
            raise ValueError("RadMax2D.from_irf requires a point-like IRF")
        if "RAD_MAX" not in irf.meta:
            raise ValueError(f"{type(irf).__name__} header has no RAD_MAX keyword")
        value = irf.meta["RAD_MAX"]
        if not isinstance(value, float):
            raise ValueError(f"RAD_MAX must be a float, got {type(value).__name__!r} ({value!r})")
        energy_axis = irf.axes["energy_true"].copy(name="energy").squash()
        offset_axis = irf.axes["offset"].squash()
        return cls(
            axes=[energy_axis, offset_axis],
            data=value,
            unit="deg",
            interp_kwargs={"method": "nearest", "fill_value": None},
        )

    @property
    def is_fixed_rad_max(self):
        """True when every axis has a single bin (one radius for all events)."""
        return all(axis.nbin == 1 for axis in self.axes)

    def _evaluate_float(self, energy_tev, offset_deg=None, method="nearest"):
        """Radius in deg at plain floats (TeV, deg); event selection uses 'nearest'."""
        values = super()._evaluate_float(energy_tev, offset_deg, method=method)
        factor = float(self.unit.to(u.deg))
        return np.asarray(values, dtype=float) * factor if factor != 1.0 else values
