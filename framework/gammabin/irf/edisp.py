"""EDISP_2D — ``EnergyDispersion2D`` and the migra → reco-energy kernel (spec §2.4)."""
import numpy as np
from astropy import units as u

from .core import IRF

__all__ = ["EnergyDispersion2D", "edisp_kernel_from_pdf"]


def edisp_kernel_from_pdf(pdf, migra_edges, energy_true, energy_reco_edges, threshold=1e-8):
    """Reco-energy kernel from migration densities, for many pixels at once.

    ``pdf``: (..., n_true, n_migra) EDISP values at the true-energy centres
    ``energy_true`` (n_true,) and the IRF's own migra centres; ``migra_edges``
    (n_migra + 1,); ``energy_reco_edges`` (n_reco + 1,) in the unit of ``energy_true``.
    Returns (..., n_true, n_reco): normalise each migra density (0/0 → 0), integrate
    it to a CDF on the migra edges, read the CDF at ``E_reco / E_true`` (clamped to
    0 and the total outside), difference over reco edges, clip ≥ 0, zero below
    ``threshold``.  The CDF lookup weights depend only on the energies, so they are
    computed once and shared by all leading (pixel) dimensions.
    """
    migra_edges = np.asarray(migra_edges, dtype=float)
    width = np.diff(migra_edges)
    steps = np.asarray(pdf, dtype=float) * width
    total = np.cumsum(steps, axis=-1).max(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        normed = np.nan_to_num(np.asarray(pdf, dtype=float) / total)
    cdf = np.cumsum(normed * width, axis=-1)
    cdf = np.concatenate([np.zeros(cdf.shape[:-1] + (1,)), cdf], axis=-1)  # on migra edges

    migra = np.asarray(energy_reco_edges, dtype=float)[np.newaxis, :] / np.asarray(energy_true, dtype=float)[:, np.newaxis]
    n_edges = migra_edges.size
    j = np.clip(np.searchsorted(migra_edges, migra, side="right") - 1, 0, n_edges - 2)
    t = (migra - migra_edges[j]) / (migra_edges[j + 1] - migra_edges[j])
    t = np.clip(t, 0.0, 1.0)  # clamped CDF: 0 below the first edge, the total above the last
    rows = np.arange(migra.shape[0])[:, np.newaxis]
    values = cdf[..., rows, j] * (1.0 - t) + cdf[..., rows, j + 1] * t
    kernel = np.clip(np.diff(values, axis=-1), 0, np.inf)
    kernel[kernel < threshold] = 0
    return kernel


class EnergyDispersion2D(IRF):
    """Migration density vs (true energy [log], migra, offset), ``migra = E_reco / E_true``.

    Out-of-range masking is special (spec §2.4): a point gets 0 only where true energy
    AND migra are outside the table, or where the offset is.
    """

    tag = "edisp_2d"
    required_axes = ("energy_true", "migra", "offset")
    default_unit = u.one
    extname = "ENERGY DISPERSION"
    column_name = "MATRIX"
    hduclas2 = "EDISP"
    hduclas4 = "EDISP_2D"

    def _mask_out_bounds(self, invalid):
        e_idx, m_idx, o_idx = (self.axes.index(n) for n in ("energy_true", "migra", "offset"))
        return (invalid[e_idx] & invalid[m_idx]) | invalid[o_idx]

    @property
    def _default_offset(self):
        offset = self.axes["offset"]
        return offset.center if offset.nbin == 1 else u.Quantity([1.0], "deg")

    def normalize(self):
        super().normalize(axis_name="migra")

    def _pdf_float(self, offset_deg, energy_true_tev):
        """Densities at (true centres ``energy_true_tev``, own migra centres, offsets):
        shape offset.shape + (n_true, n_migra)."""
        offset = np.asarray(offset_deg, dtype=float)
        extra = (np.newaxis, np.newaxis)
        energy = np.asarray(energy_true_tev, dtype=float)[:, np.newaxis]
        migra = self.axes["migra"].center.value[np.newaxis, :]
        return self._evaluate_float(energy, migra, offset[(...,) + extra])

    def _kernel_float(self, offset_deg, energy_true_tev, energy_reco_edges_tev, threshold=1e-8):
        """Reco-energy kernels for many offsets: (offset.shape..., n_true, n_reco).

        ``energy_true_tev``: centres of the target true axis; ``energy_reco_edges_tev``:
        edges of the target reco axis (both TeV); ``offset_deg`` any shape."""
        pdf = self._pdf_float(offset_deg, energy_true_tev)
        return edisp_kernel_from_pdf(
            pdf, self.axes["migra"].edges.value, energy_true_tev, energy_reco_edges_tev, threshold=threshold
        )

    def to_edisp_kernel(self, offset, energy_axis_true=None, energy_axis=None, threshold=1e-8, **aliases):
        """``EDispKernel`` at one offset.  Axes default to the IRF true axis (the reco
        one renamed ``energy``); quantities of edges are accepted (``energy_true=`` and
        ``energy=`` are aliases)."""
        from gammabin.maps import MapAxis

        from .edisp_kernel import EDispKernel

        energy_axis_true = aliases.pop("energy_true", energy_axis_true)
        energy_axis = aliases.pop("energy", energy_axis)
        if aliases:
            raise TypeError(f"Unexpected arguments {sorted(aliases)}")
        if isinstance(energy_axis, u.Quantity):
            energy_axis = MapAxis.from_energy_edges(energy_axis)
        if energy_axis is None:
            energy_axis = self.axes["energy_true"].copy(name="energy")
        if isinstance(energy_axis_true, u.Quantity):
            energy_axis_true = MapAxis.from_energy_edges(energy_axis_true, name="energy_true")
        if energy_axis_true is None:
            energy_axis_true = self.axes["energy_true"]
        offset_deg = u.Quantity(offset, "deg").to_value("deg")
        kernel = self._kernel_float(
            np.asarray(offset_deg).reshape(()) if np.size(offset_deg) == 1 else offset_deg,
            energy_axis_true.center.to_value("TeV"),
            energy_axis.edges.to_value("TeV"),
            threshold=threshold,
        )
        return EDispKernel(axes=[energy_axis_true, energy_axis], data=kernel)

    @classmethod
    def from_gauss(cls, energy_axis_true, migra_axis, offset_axis, bias, sigma, pdf_threshold=1e-6):
        """Gaussian migration (mean ``1 + bias``, width ``sigma``) integrated over each
        migra bin with ``erf``, divided by the bin width; densities < ``pdf_threshold`` → 0.
        ``bias``/``sigma`` are scalars or arrays over true energy."""
        from gammabin.maps import MapAxes

        axes = MapAxes([energy_axis_true, migra_axis, offset_axis])
        edges = migra_axis.edges.value
        migra_min, migra_max = edges[:-1][np.newaxis, :], edges[1:][np.newaxis, :]
        bias = np.asarray(bias, dtype=float).reshape(-1, 1) if np.ndim(bias) else float(bias)
        sigma = np.asarray(sigma, dtype=float).reshape(-1, 1) if np.ndim(sigma) else float(sigma)
        s = np.sqrt(2) * sigma
        from scipy.special import erf  # lazy: scipy costs ~0.2 s to import

        pdf = (erf((migra_max - 1 - bias) / s) - erf((migra_min - 1 - bias) / s)) / 2
        pdf = pdf / (migra_max - migra_min)
        data = pdf[:, :, np.newaxis] * np.ones(axes.shape)
        data[data < pdf_threshold] = 0
        return cls(axes=axes, data=data)
