"""PSF_TABLE — ``PSF3D`` (spec §2.5)."""
from astropy import units as u

from .core import IRF
from .psf_common import PSFMixin

__all__ = ["PSF3D"]


class PSF3D(PSFMixin, IRF):
    """Tabulated radial PSF density (sr⁻¹) vs (true energy [log], offset, rad)."""

    tag = "psf_table"
    required_axes = ("energy_true", "offset", "rad")
    default_unit = u.sr**-1
    extname = "PSF_2D_TABLE"
    column_name = "RPSF"
    hduclas2 = "RPSF"
    hduclas4 = "PSF_TABLE"

    def normalize(self):
        super().normalize(axis_name="rad")

    def containment(self, rad, **kwargs):
        """Fraction of the PSF within ``rad``: the cumulative rad integral, evaluated with
        §2.2 on nodes at the upper rad edges — hence 0 (not 1) beyond about the last
        edge (spec quirk 9)."""
        return self.integral(axis_name="rad", rad=rad, **kwargs).to(u.one)

    @property
    def _rad_cumsum(self):
        if "cumsum" not in self._derived:
            self._derived["cumsum"] = self.cumsum("rad")
        return self._derived["cumsum"]

    def integral(self, axis_name, **kwargs):
        if axis_name == "rad":
            return self._rad_cumsum.evaluate(**kwargs)
        return super().integral(axis_name, **kwargs)

    def _containment_float(self, energy_true_tev, offset_deg, rad_deg):
        """Containment at plain floats (TeV, deg, deg)."""
        cumsum = self._rad_cumsum
        factor = float(cumsum.unit.to(u.one))
        return cumsum._evaluate_float(energy_true_tev, offset_deg, rad_deg) * factor

    def _evaluate_float(self, energy_true_tev, offset_deg=None, rad_deg=None, method=None):
        """Density in ``self.unit`` (sr⁻¹) at plain floats (TeV, deg, deg)."""
        return super()._evaluate_float(energy_true_tev, offset_deg, rad_deg, method=method)
