"""Sky models for simulation: point and Gaussian sources with power-law or
log-parabola spectra.  Plain floats (TeV, deg, cm⁻² s⁻¹ TeV⁻¹) — these are records
evaluated in vectorised numpy, not fitting models."""
import attrs
import numpy as np

__all__ = ["PowerLaw", "LogParabola", "PointSource", "GaussianSource", "SkyModel"]


def _log_grid_integral(spectrum, e_min, e_max, n=512):
    """∫ spectrum dE by the trapezoid rule in ln E (smooth spectra: error ≪ 1e-5)."""
    log_e = np.linspace(np.log(e_min), np.log(e_max), n)
    energy = np.exp(log_e)
    return float(np.trapezoid(spectrum.evaluate(energy) * energy, log_e))


@attrs.frozen
class PowerLaw:
    """dN/dE = amplitude · (E / reference)^(−index); amplitude in cm⁻² s⁻¹ TeV⁻¹."""

    index: float = 2.0
    amplitude: float = 1e-12
    reference: float = 1.0

    def evaluate(self, energy_tev):
        return self.amplitude * (np.asarray(energy_tev, dtype=float) / self.reference) ** (-self.index)

    def integral(self, e_min_tev, e_max_tev):
        """Photon flux (cm⁻² s⁻¹) between two energies (TeV), analytic."""
        e1, e2 = float(e_min_tev), float(e_max_tev)
        if np.isclose(self.index, 1.0):
            return self.amplitude * self.reference * np.log(e2 / e1)
        k = 1.0 - self.index
        return self.amplitude * self.reference / k * ((e2 / self.reference) ** k - (e1 / self.reference) ** k)


@attrs.frozen
class LogParabola:
    """dN/dE = amplitude · (E / reference)^(−alpha − beta · ln(E / reference))."""

    alpha: float = 2.0
    beta: float = 0.1
    amplitude: float = 1e-12
    reference: float = 1.0

    def evaluate(self, energy_tev):
        x = np.asarray(energy_tev, dtype=float) / self.reference
        return self.amplitude * x ** (-self.alpha - self.beta * np.log(x))

    def integral(self, e_min_tev, e_max_tev):
        """Photon flux (cm⁻² s⁻¹) between two energies (TeV), numerical."""
        return _log_grid_integral(self, float(e_min_tev), float(e_max_tev))


@attrs.frozen
class PointSource:
    ra: float
    dec: float
    spectrum: object = attrs.field(factory=PowerLaw)
    name: str = "point"

    @property
    def extent(self):
        """Angular scale (deg) over which the morphology extends (0 for a point)."""
        return 0.0


@attrs.frozen
class GaussianSource:
    """Symmetric 2-D Gaussian of width ``sigma`` (deg) on the sky."""

    ra: float
    dec: float
    sigma: float
    spectrum: object = attrs.field(factory=PowerLaw)
    name: str = "gaussian"

    @property
    def extent(self):
        return 5.0 * self.sigma


@attrs.frozen
class SkyModel:
    """A tuple of sources; the background comes from the instrument's BKG IRF."""

    sources: tuple = attrs.field(converter=tuple, factory=tuple)

    def __iter__(self):
        return iter(self.sources)

    def __len__(self):
        return len(self.sources)
