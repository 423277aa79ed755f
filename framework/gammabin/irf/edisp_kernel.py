"""``EDispKernel``: a reco-vs-true energy redistribution matrix (spec §2.4)."""
import numpy as np
from astropy import units as u

from .core import IRF

__all__ = ["EDispKernel"]


class EDispKernel(IRF):
    """Probability of true-energy bin *i* (rows) landing in reco bin *j* (columns)."""

    tag = "edisp_kernel"
    required_axes = ("energy_true", "energy")
    default_unit = u.one
    default_interp_kwargs = {"bounds_error": False, "fill_value": 0, "method": "nearest"}

    @property
    def pdf_matrix(self):
        return self.data

    def pdf_in_safe_range(self, lo_threshold, hi_threshold):
        """Matrix with the reco bins outside ``[lo, hi]`` zeroed (both None zeroes all,
        as gammapy)."""
        data = self.pdf_matrix.copy()
        edges = self.axes["energy"].edges
        if lo_threshold is None and hi_threshold is None:
            idx = slice(None)
        else:
            idx = (edges[:-1] < lo_threshold) | (edges[1:] > hi_threshold)
        data[:, idx] = 0
        return data

    def to_image(self, lo_threshold=None, hi_threshold=None):
        """One reco bin: sum of the reco bins lying fully inside ``[lo, hi]``."""
        axis = self.axes["energy"]
        lo = lo_threshold if lo_threshold is not None else axis.edges[0]
        hi = hi_threshold if hi_threshold is not None else axis.edges[-1]
        data = self.pdf_in_safe_range(lo, hi)
        return self.__class__(axes=self.axes.squash("energy"), data=np.sum(data, axis=1, keepdims=True))

    @classmethod
    def from_gauss(cls, energy_axis_true, energy_axis, sigma, bias, pdf_threshold=1e-6):
        """Gaussian kernel via an EDISP_2D on migra 1/3…3 (200 bins) at offset 0.5°."""
        from gammabin.maps import MapAxis

        from .edisp import EnergyDispersion2D

        migra_axis = MapAxis.from_bounds(1.0 / 3, 3, nbin=200, name="migra")
        offset_axis = MapAxis.from_edges([0, 1, 2], unit="deg", name="offset")
        edisp = EnergyDispersion2D.from_gauss(
            energy_axis_true=energy_axis_true,
            migra_axis=migra_axis,
            offset_axis=offset_axis,
            sigma=sigma,
            bias=bias,
            pdf_threshold=pdf_threshold,
        )
        return edisp.to_edisp_kernel(offset=offset_axis.center[0], energy_axis=energy_axis)

    @classmethod
    def from_diagonal_response(cls, energy_axis_true, energy_axis=None):
        """Perfect resolution: fraction of each true bin overlapping each reco bin."""
        if energy_axis_true.name != "energy_true":
            raise ValueError(f"Expected an axis named 'energy_true', got {energy_axis_true.name!r}")
        if energy_axis is None:
            energy_axis = energy_axis_true.copy(name="energy")
        reco = energy_axis.edges.to_value(energy_axis_true.unit)
        true = energy_axis_true.edges.value
        a_min, a_max = reco[:-1], reco[1:]
        b_min, b_max = true[:-1][:, np.newaxis], true[1:][:, np.newaxis]
        overlap = np.clip(np.fmin(a_max, b_max) - np.fmax(a_min, b_min), 0, np.inf)
        return cls(axes=[energy_axis_true, energy_axis], data=overlap / (b_max - b_min))

    def _rows(self, energy_true):
        idx = self.axes["energy_true"].coord_to_idx(energy_true)
        return idx, self.data[idx]

    def get_mean(self, energy_true):
        """Mean reco energy (reco-bin centres weighted by the kernel row of ``energy_true``)."""
        _, pdf = self._rows(energy_true)
        centres = self.axes["energy"].center
        norm = np.sum(pdf, axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nan_to_num(np.sum(pdf * centres.value, axis=-1) / norm)
        return u.Quantity(mean, centres.unit)

    def _get_variance(self, energy_true):
        _, pdf = self._rows(energy_true)
        mean = self.get_mean(energy_true)
        centres = self.axes["energy"].center
        dev = (centres.value - np.asarray(mean.value)[..., np.newaxis]) ** 2
        with np.errstate(invalid="ignore", divide="ignore"):
            return u.Quantity(np.sum(dev * pdf, axis=-1) / np.sum(pdf, axis=-1), centres.unit**2)

    def get_resolution(self, energy_true):
        """Std of the reco energy about its mean, relative to the true-bin centre."""
        idx, _ = self._rows(energy_true)
        centre = self.axes["energy_true"].center[idx]
        return (np.sqrt(self._get_variance(energy_true)) / centre).to(u.one)

    def get_bias(self, energy_true):
        """``(mean reco − true-bin centre) / true-bin centre``."""
        idx, _ = self._rows(energy_true)
        centre = self.axes["energy_true"].center[idx]
        return ((self.get_mean(energy_true) - centre) / centre).to(u.one)
