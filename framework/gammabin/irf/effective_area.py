"""AEFF_2D — ``EffectiveAreaTable2D`` (spec §2.3)."""
import numpy as np
from astropy import units as u

from ..errors import DataFormatError

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

    @classmethod
    def _from_irf_table(cls, table):
        aeff = super()._from_irf_table(table)
        if np.any(aeff.data < 0):
            # a negative area would give negative exposure, i.e. silently wrong fluxes
            raise DataFormatError(
                f"{table.where}: column {cls.column_name!r} has negative values "
                f"(min {float(np.min(aeff.data))}); expected effective areas >= 0"
            )
        return aeff

    def _evaluate_float(self, energy_true_tev, offset_deg=None, method=None):
        """Area in m² at plain float coordinates (TeV, deg), broadcast."""
        values = super()._evaluate_float(energy_true_tev, offset_deg, method=method)
        factor = self._m2_factor
        return values if factor == 1.0 else values * factor

    @property
    def _m2_factor(self):
        return float(self.unit.to(u.m**2))
