"""AEFF_2D — ``EffectiveAreaTable2D`` (spec §2.3)."""
import numpy as np
from astropy import units as u

from ..errors import DataFormatError

from .core import IRF

__all__ = ["EffectiveAreaTable2D"]

#: Negative entries tolerated, as a fraction of the table maximum (real files have ~1e-4).
NEGATIVE_TOLERANCE = 0.01


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
        # Small negative entries are real: 13 H.E.S.S. DR1 runs have some (down to
        # -1.1e-4 of the maximum, interpolation artefacts); gammapy reads them and the
        # evaluation clips at 0, as here.  Anything beyond 1 % of the maximum (or no
        # positive value at all, e.g. a sign-flipped column) would give silently wrong
        # exposure, so it is refused.
        peak = float(np.max(aeff.data)) if aeff.data.size else 0.0
        low = float(np.min(aeff.data)) if aeff.data.size else 0.0
        if low < 0 and (peak <= 0 or low < -NEGATIVE_TOLERANCE * peak):
            raise DataFormatError(
                f"{table.where}: column {cls.column_name!r} has negative values down to {low} "
                f"(maximum {peak}); expected effective areas >= 0 (tiny negative artefacts "
                f"above -{NEGATIVE_TOLERANCE:g} x maximum are tolerated)"
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
