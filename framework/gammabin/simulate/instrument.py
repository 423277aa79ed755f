"""A built-in analytic IACT-like instrument, generated in code (nothing to download):
energy-dependent effective area falling with offset, Gaussian PSF (PSF_3GAUSS with one
component), log-normal energy dispersion (EDISP_2D) and a smooth radial background
(BKG_3D).  The IRFs are ordinary ``gammabin.irf`` objects built from arrays."""
import functools

import attrs
import numpy as np
import scipy.special
from astropy import units as u

from gammabin.irf import Background3D, EffectiveAreaTable2D, EnergyDependentMultiGaussPSF, EnergyDispersion2D
from gammabin.maps import MapAxis

__all__ = ["BuiltinInstrument"]

_META = {"TELESCOP": "GAMMABIN-SIM", "INSTRUME": "builtin"}


def _energy_axis(name, e_min, e_max, per_decade):
    nbin = int(round(per_decade * np.log10(e_max / e_min)))
    return MapAxis.from_bounds(e_min, e_max, nbin=nbin, interp="log", unit="TeV", name=name)


def _offset_axis(offset_max, nbin):
    return MapAxis.from_bounds(0.0, offset_max, nbin=nbin, unit="deg", name="offset")


@attrs.frozen
class BuiltinInstrument:
    """Analytic IRF parameters (TeV, deg, m², s⁻¹ MeV⁻¹ sr⁻¹); ``irfs()`` gives the
    dict ``{"aeff", "edisp", "psf", "bkg"}`` of IRF objects (built once per instance)."""

    aeff_max_m2: float = 3e5
    aeff_threshold_tev: float = 0.1  # area reaches half its plateau here
    aeff_offset_sigma_deg: float = 2.5
    psf_sigma_high_deg: float = 0.03  # asymptotic sigma at high energy
    psf_sigma_scale_deg: float = 0.04  # sigma = high + scale · (E / 1 TeV)^-0.5
    edisp_sigma_high: float = 0.08  # log-normal width of E_reco / E_true
    edisp_sigma_low: float = 0.25  # extra width at the threshold
    edisp_bias_low: float = 0.05  # ln-bias at the threshold
    bkg_rate_1tev: float = 5e-6  # s⁻¹ MeV⁻¹ sr⁻¹ at 1 TeV, FoV centre
    bkg_index: float = 2.7
    bkg_offset_sigma_deg: float = 2.0
    energy_min_tev: float = 0.01
    energy_max_tev: float = 100.0
    offset_max_deg: float = 5.0
    fov_max_deg: float = 5.0

    # --- analytic shapes (plain floats) ---------------------------------------------------
    def _turn_on(self, energy):
        return 1.0 / (1.0 + (energy / self.aeff_threshold_tev) ** -2.5)

    def aeff_m2(self, energy, offset):
        return self.aeff_max_m2 * self._turn_on(energy) * np.exp(-0.5 * (offset / self.aeff_offset_sigma_deg) ** 2)

    def psf_sigma_deg(self, energy, offset):
        sigma = self.psf_sigma_high_deg + self.psf_sigma_scale_deg * energy**-0.5
        return sigma * (1.0 + 0.1 * (offset / 2.0) ** 2)

    def edisp_sigma_bias(self, energy):
        low = 1.0 / (1.0 + energy / self.aeff_threshold_tev)
        return self.edisp_sigma_high + self.edisp_sigma_low * low, self.edisp_bias_low * low

    def bkg_rate(self, energy, fov_lon, fov_lat):
        radial = np.exp(-0.5 * (fov_lon**2 + fov_lat**2) / self.bkg_offset_sigma_deg**2)
        return self.bkg_rate_1tev * energy**-self.bkg_index * self._turn_on(energy) * radial

    # --- IRF objects --------------------------------------------------------------------
    def irfs(self):
        return _build_irfs(self)

    def effective_area(self):
        energy = _energy_axis("energy_true", self.energy_min_tev, self.energy_max_tev, 16)
        offset = _offset_axis(self.offset_max_deg, 10)
        data = self.aeff_m2(energy.center.value[:, None], offset.center.value[None, :])
        # safe-energy thresholds (TeV) for SafeMaskMaker's "aeff-default" method
        meta = dict(_META, LO_THRES=self.aeff_threshold_tev, HI_THRES=0.5 * self.energy_max_tev)
        return EffectiveAreaTable2D(axes=[energy, offset], data=data, unit="m2", meta=meta)

    def energy_dispersion(self):
        energy = _energy_axis("energy_true", self.energy_min_tev, self.energy_max_tev, 10)
        migra = MapAxis.from_bounds(0.2, 5.0, nbin=240, unit="", name="migra")
        offset = _offset_axis(self.offset_max_deg, 5)
        sigma, bias = self.edisp_sigma_bias(energy.center.value[:, None])
        # log-normal migration integrated over each migra bin (erf of ln migra), per width
        edges = np.log(migra.edges.value)[None, :]
        cdf = 0.5 * (1.0 + scipy.special.erf((edges - bias) / (np.sqrt(2.0) * sigma)))
        pdf = np.diff(cdf, axis=1) / migra.bin_width.value[None, :]
        data = np.repeat(pdf[:, :, None], offset.nbin, axis=2)
        return EnergyDispersion2D(axes=[energy, migra, offset], data=data, meta=dict(_META))

    def psf(self):
        energy = _energy_axis("energy_true", self.energy_min_tev, self.energy_max_tev, 8)
        offset = _offset_axis(self.offset_max_deg, 6)
        sigma = self.psf_sigma_deg(energy.center.value[:, None], offset.center.value[None, :])
        fields = EnergyDependentMultiGaussPSF.required_parameters
        data = np.zeros(sigma.shape, dtype={"names": list(fields), "formats": [np.float32] * len(fields)})
        data["sigma_1"] = sigma
        data["sigma_2"] = data["sigma_3"] = 1.0  # unused (amplitude 0); 0 would read as 1° anyway
        data["scale"] = 1.0 / (2 * np.pi * sigma**2)
        units = {"sigma_1": "deg", "sigma_2": "deg", "sigma_3": "deg", "scale": "", "ampl_2": "", "ampl_3": ""}
        return EnergyDependentMultiGaussPSF(axes=[energy, offset], data=data, unit=units, meta=dict(_META))

    def background(self):
        energy = _energy_axis("energy", self.energy_min_tev, self.energy_max_tev, 10)
        fov_edges = np.linspace(-self.fov_max_deg, self.fov_max_deg, 41)
        lon = MapAxis.from_edges(fov_edges, name="fov_lon", unit="deg")
        lat = MapAxis.from_edges(fov_edges, name="fov_lat", unit="deg")
        data = self.bkg_rate(
            energy.center.value[:, None, None], lon.center.value[None, :, None], lat.center.value[None, None, :]
        )
        meta = dict(_META, FOVALIGN="RADEC")
        return Background3D(axes=[energy, lon, lat], data=data, unit=u.Unit("s-1 MeV-1 sr-1"), meta=meta)


@functools.lru_cache(maxsize=8)
def _build_irfs(instrument):
    return {
        "aeff": instrument.effective_area(),
        "edisp": instrument.energy_dispersion(),
        "psf": instrument.psf(),
        "bkg": instrument.background(),
    }
