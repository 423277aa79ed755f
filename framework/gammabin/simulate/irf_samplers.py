"""Samplers built once per IRF object (cached on it by identity): energy dispersion,
PSF and background.  They sample exactly what the readers evaluate: the IRF tables'
own nodes, bilinear (ln E, offset) interpolation realised as a weighted choice among
the four corner rows, piecewise-uniform densities within bins."""
import weakref

import numpy as np
from astropy import units as u

from gammabin.irf import PSF3D, Background2D, Background3D, EnergyDependentMultiGaussPSF, PSFKing

from .sampling import bracket_weights, choose_corner, fov_to_sky, invert_row_cdfs, power_law_in_bins, rayleigh_radius

__all__ = ["edisp_sampler", "psf_sampler", "background_sampler", "RowTableSampler"]

_CACHE = {}  # id(irf) → (weakref to it, {key: sampler}); IRFs are unhashable


def _cached(irf, key, build):
    entry = _CACHE.get(id(irf))
    if entry is None or entry[0]() is not irf:
        entry = (weakref.ref(irf, lambda _, k=id(irf): _CACHE.pop(k, None)), {})
        _CACHE[id(irf)] = entry
    per_irf = entry[1]
    if key not in per_irf:
        per_irf[key] = build()
    return per_irf[key]


class RowTableSampler:
    """Density rows on a (ln E_true, offset) node grid; ``x`` piecewise uniform on
    ``edges``.  ``steps`` (n_e, n_off, n_x): probability mass of each x bin (unnormalised)."""

    def __init__(self, log_energy_nodes, offset_nodes, edges, steps):
        self.log_energy_nodes = np.asarray(log_energy_nodes, dtype=float)
        self.offset_nodes = np.asarray(offset_nodes, dtype=float)
        self.edges = np.asarray(edges, dtype=float)
        n_e, n_off, n_x = steps.shape
        cum = np.cumsum(steps, axis=-1)
        self.totals = cum[..., -1].reshape(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            cdf = np.nan_to_num(cum / cum[..., -1:])
        cdf = np.concatenate([np.zeros((n_e, n_off, 1)), cdf], axis=-1)
        self.cdf_rows = cdf.reshape(n_e * n_off, n_x + 1)
        self.n_off = n_off

    def sample(self, rng, energy_true_tev, offset_deg):
        """One ``x`` per event; NaN where every corner row is empty (no response)."""
        n = energy_true_tev.size
        uniform = rng.random((2, n))
        ie, we0, we1 = bracket_weights(self.log_energy_nodes, np.log(energy_true_tev))
        io, wo0, wo1 = bracket_weights(self.offset_nodes, offset_deg)
        ie1 = np.minimum(ie + 1, self.log_energy_nodes.size - 1)
        io1 = np.minimum(io + 1, self.offset_nodes.size - 1)
        rows = np.stack([ie * self.n_off + io, ie * self.n_off + io1, ie1 * self.n_off + io, ie1 * self.n_off + io1], axis=-1)
        weights = np.stack([we0 * wo0, we0 * wo1, we1 * wo0, we1 * wo1], axis=-1) * self.totals[rows]
        pick = choose_corner(weights, uniform[0])
        valid = pick >= 0
        row = rows[np.arange(n), np.maximum(pick, 0)]
        x = invert_row_cdfs(self.cdf_rows, self.edges, row, uniform[1])
        return np.where(valid, x, np.nan)


def edisp_sampler(edisp):
    """Sampler of migra = E_reco / E_true for an ``EnergyDispersion2D``."""

    def build():
        axes = edisp.axes
        width = axes["migra"].bin_width.value
        steps = np.moveaxis(edisp.data * width[None, :, None], 1, -1)  # (e, off, migra)
        return RowTableSampler(
            np.log(axes["energy_true"].center.to_value("TeV")),
            axes["offset"].center.to_value("deg"),
            axes["migra"].edges.value,
            np.clip(steps, 0, None),
        )

    return _cached(edisp, "edisp", build)


class _ParametricPSFSampler:
    def __init__(self, psf):
        self.psf = psf

    def sample(self, rng, energy_true_tev, offset_deg):
        pars = self.psf._parameters_float(energy_true_tev, offset_deg)
        uniform = rng.random((2, energy_true_tev.size))
        if isinstance(self.psf, PSFKing):
            gamma, sigma = pars["gamma"], pars["sigma"]
            # containment 1 − (1 + r²/(2γσ²))^(1−γ) inverted
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                return np.sqrt(2 * gamma * sigma**2 * ((1 - uniform[1]) ** (1 / (1 - gamma)) - 1))
        sigmas, weights = EnergyDependentMultiGaussPSF._weights(**pars)
        pick = choose_corner(np.stack(weights, axis=-1), uniform[0])
        sigma = np.choose(np.maximum(pick, 0), sigmas)
        return np.where(pick >= 0, rayleigh_radius(uniform[1], sigma), np.nan)


def psf_sampler(psf):
    """Radius sampler (deg) for a PSF_3GAUSS, PSF_KING (exact) or PSF_TABLE (tabulated)."""

    def build():
        if isinstance(psf, (EnergyDependentMultiGaussPSF, PSFKing)):
            return _ParametricPSFSampler(psf)
        if isinstance(psf, PSF3D):
            axes = psf.axes
            rad = axes["rad"]
            factor = float(u.Unit(rad.unit).to(u.deg))
            steps = psf.data * (2 * np.pi * rad.center.value * rad.bin_width.value)[None, None, :]
            return RowTableSampler(
                np.log(axes["energy_true"].center.to_value("TeV")),
                axes["offset"].center.to_value("deg"),
                rad.edges.value * factor,
                np.clip(steps, 0, None),
            )
        raise NotImplementedError(f"cannot sample PSF class {type(psf).__name__}")

    return _cached(psf, "psf", build)


class BackgroundSampler:
    """Counts per (reco energy, fov_lon, fov_lat) cell on a fine grid: expected rate
    sums (s⁻¹) and the inverse-CDF draw of cells; power law in energy, uniform in space
    within a cell."""

    def __init__(self, bkg, energy_edges_tev, max_cell_deg=0.1):
        if isinstance(bkg, Background3D):
            lon_edges = _refine(bkg.axes["fov_lon"].edges.to_value("deg"), max_cell_deg)
            lat_edges = _refine(bkg.axes["fov_lat"].edges.to_value("deg"), max_cell_deg)
        elif isinstance(bkg, Background2D):
            off_max = float(bkg.axes["offset"].edges.to_value("deg")[-1])
            n = int(np.ceil(2 * off_max / max_cell_deg))
            lon_edges = lat_edges = np.linspace(-off_max, off_max, n + 1)
        else:
            raise NotImplementedError(f"cannot sample background class {type(bkg).__name__}")
        alignment = str(getattr(bkg, "fov_alignment", "RADEC")).upper()
        if alignment == "ALTAZ":
            raise NotImplementedError("ALTAZ-aligned backgrounds need a time-resolved pointing")
        self.reverse_lon = alignment == "REVERSE_LON_RADEC"
        lon_c = 0.5 * (lon_edges[1:] + lon_edges[:-1])
        lat_c = 0.5 * (lat_edges[1:] + lat_edges[:-1])
        edges = np.asarray(energy_edges_tev, dtype=float)
        lon_g, lat_g = lon_c[:, None], lat_c[None, :]
        if isinstance(bkg, Background3D):
            coords = (lon_g, lat_g)
        else:
            coords = (np.hypot(lon_g, lat_g),)  # offset ≈ FoV radius (the reader uses true separations)
        self.rate_edges = np.broadcast_to(
            bkg._evaluate_float(edges[:, None, None], *[c[None] for c in coords]), (edges.size, lon_c.size, lat_c.size)
        )
        integral = bkg._integrate_energy_bins(edges, *coords) if isinstance(bkg, Background3D) else bkg._integrate_energy_bins(edges, coords[0])
        solid_angle = np.deg2rad(np.diff(lon_edges))[:, None] * np.deg2rad(np.diff(lat_edges))[None, :] * np.cos(np.deg2rad(lat_g))
        cell_rate = np.clip(np.nan_to_num(integral * solid_angle[None]), 0, None)  # s⁻¹
        self.rate_total = float(cell_rate.sum())
        self.cdf = np.cumsum(cell_rate.ravel()) / self.rate_total if self.rate_total > 0 else None
        self.shape = cell_rate.shape
        self.energy_edges = edges
        self.lon_edges, self.lat_edges = lon_edges, lat_edges

    def sample(self, rng, n, pointing_ra, pointing_dec):
        """``n`` background events: (ra, dec, energy) float arrays."""
        if n == 0 or self.cdf is None:
            return np.zeros(0), np.zeros(0), np.zeros(0)
        uniform = rng.random((4, n))
        flat = np.minimum(np.searchsorted(self.cdf, uniform[0], side="right"), self.cdf.size - 1)
        ie, ilon, ilat = np.unravel_index(flat, self.shape)
        lon = self.lon_edges[ilon] + uniform[1] * (self.lon_edges[ilon + 1] - self.lon_edges[ilon])
        lat = self.lat_edges[ilat] + uniform[2] * (self.lat_edges[ilat + 1] - self.lat_edges[ilat])
        energy = power_law_in_bins(
            self.energy_edges[ie], self.energy_edges[ie + 1],
            self.rate_edges[ie, ilon, ilat], self.rate_edges[ie + 1, ilon, ilat], uniform[3],
        )
        ra, dec = fov_to_sky(lon, lat, pointing_ra, pointing_dec, reverse_lon=self.reverse_lon)
        return ra, dec, energy


def _refine(edges, max_width):
    """Subdivide each bin into equal parts no wider than ``max_width``."""
    out = [edges[:1]]
    for lo, hi in zip(edges[:-1], edges[1:]):
        k = max(1, int(np.ceil((hi - lo) / max_width - 1e-9)))
        out.append(np.linspace(lo, hi, k + 1)[1:])
    return np.concatenate(out)


def background_sampler(bkg, energy_edges_tev):
    key = ("bkg", tuple(np.round(np.asarray(energy_edges_tev, dtype=float), 12)))
    return _cached(bkg, key, lambda: BackgroundSampler(bkg, energy_edges_tev))
