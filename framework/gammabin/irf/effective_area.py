"""AEFF_2D — ``EffectiveAreaTable2D`` (spec §2.3)."""
from astropy import units as u

from .core import IRF

__all__ = ["EffectiveAreaTable2D"]


class EffectiveAreaTable2D(IRF):
    """Effective area vs (true energy [log], offset); linear values, 0 outside the edges.

    A one-bin offset axis (MAGIC point-like) gives an area independent of offset inside
    the bin and 0 outside it (spec quirk 7).
    """

    tag = "aeff_2d"
    required_axes = ("energy_true", "offset")
    default_unit = u.m**2
    extname = "EFFECTIVE AREA"
    column_name = "EFFAREA"
    hduclas2 = "EFF_AREA"
    hduclas4 = "AEFF_2D"

    def _evaluate_float(self, energy_true_tev, offset_deg=None, method=None):
        """Area in m² at plain float coordinates (TeV, deg), broadcast."""
        values = super()._evaluate_float(energy_true_tev, offset_deg, method=method)
        factor = self._m2_factor
        return values if factor == 1.0 else values * factor

    @property
    def _m2_factor(self):
        return float(self.unit.to(u.m**2))
