"""Energy-dispersion maps (DIM §2.9): ``EDispKernelMap`` (axes ``[energy, energy_true]``,
a reco-bin kernel per IRF pixel) and ``EDispMap`` (axes ``[migra, energy_true]``, a migra
pdf per IRF pixel), each with an exposure map whose first axis has one bin."""
import logging

import numpy as np
from astropy.coordinates import SkyCoord

from gammabin import kernels

from .irf_map import IRFMap, lazy_full

__all__ = ["EDispKernelMap", "EDispMap", "overlap_fraction", "delta_migra_pdf"]

log = logging.getLogger(__name__)


def overlap_fraction(energy_axis, energy_axis_true):
    """(n_true, n_reco) fraction of each true bin covered by each reco bin, linear in E."""
    reco = energy_axis.edges.to_value(energy_axis_true.unit)
    true = energy_axis_true.edges.value
    lo = np.fmax(reco[:-1][None, :], true[:-1][:, None])
    hi = np.fmin(reco[1:][None, :], true[1:][:, None])
    return np.clip(hi - lo, 0, np.inf) / (true[1:] - true[:-1])[:, None]


def delta_migra_pdf(migra_axis):
    """Per migra bin: a unit delta at migra 1 split linearly over the two nearest bins,
    divided by the bin width (what an empty EDispMap holds)."""
    k0 = float(migra_axis.coord_to_pix(1.0)[0])
    d = np.abs(np.arange(migra_axis.nbin) - k0)
    return np.where(d < 1, 1 - d, 0) / migra_axis.bin_width.value


class _Kernel:
    """Minimal stand-in for ``EDispKernel`` (axes energy_true × energy) used when the IRF
    layer does not provide one."""

    def __init__(self, axes, data):
        self.axes = {a.name: a for a in axes}
        self.data = np.asarray(data)

    @property
    def pdf_matrix(self):
        return self.data


def _make_kernel(energy_axis_true, energy_axis, data):
    try:
        from gammabin.irf import EDispKernel  # provided by the IRF layer when available
    except ImportError:
        return _Kernel([energy_axis_true, energy_axis], data)
    return EDispKernel(axes=[energy_axis_true, energy_axis], data=np.asarray(data))


def _nearest_pixel(geom, position):
    """(iy, ix) of the pixel containing ``position`` (WCSLIB, floor(pix + 0.5)); None outside."""
    frame = getattr(geom, "frame", "icrs")
    pos = position.transform_to(frame) if isinstance(position, SkyCoord) else position
    sph = pos.represent_as("unitspherical")
    x, y = geom.wcs.wcs_world2pix(
        np.atleast_1d(sph.lon.deg).astype(float), np.atleast_1d(sph.lat.deg).astype(float), 0
    )
    ix, iy = int(np.floor(x[0] + 0.5)), int(np.floor(y[0] + 0.5))
    ny, nx = geom.data_shape[-2:]
    if 0 <= ix < nx and 0 <= iy < ny:
        return iy, ix
    return None


def _image_coords(geom):
    ny, nx = geom.data_shape[-2:]
    yy, xx = np.mgrid[0:ny, 0:nx].astype(float)
    lon, lat = geom.wcs.wcs_pix2world(xx, yy, 0)
    return lon, lat


class _EDispBase(IRFMap):
    _hdu = "edisp"

    def _nearest_valid_pixel(self, position):
        geom = self._irf_map.geom
        if position is None:
            position = geom.center_skydir
        valid = self.mask_safe_image.data
        pix = _nearest_pixel(geom, position)
        if pix is not None and valid[pix]:
            return pix
        if not valid.any():
            return pix if pix is not None else (0, 0)
        log.warning(f"Position {position} is outside valid IRF map range, using nearest IRF defined within")
        lon, lat = _image_coords(geom)
        frame = getattr(geom, "frame", "icrs")
        pos = position.transform_to(frame).represent_as("unitspherical")
        sep = kernels.angular_separation(lon, lat, pos.lon.deg, pos.lat.deg)
        sep = np.where(valid, sep, np.inf)
        return np.unravel_index(np.argmin(sep), sep.shape)

    @property
    def edisp_map(self):
        """The kernel (``EDispKernelMap``) or migra-pdf (``EDispMap``) map."""
        return self._irf_map

    @edisp_map.setter
    def edisp_map(self, value):
        self._irf_map = value

    @classmethod
    def _class_for(cls, irf_map):
        # an EDISP HDU whose first axis is reco ``energy`` is a kernel map
        return EDispKernelMap if irf_map.geom.axes[0].name == "energy" else EDispMap


class EDispKernelMap(_EDispBase):
    """Energy-dispersion kernel per pixel: axes ``[energy, energy_true]``."""

    tag = "edisp_kernel_map"
    required_axes = ("energy", "energy_true")

    def __init__(self, edisp_kernel_map, exposure_map=None):  # gammapy's keyword names
        super().__init__(edisp_kernel_map, exposure_map)

    @classmethod
    def from_geom(cls, geom, dtype="float32"):
        """Diagonal (overlap-fraction) kernel in every pixel, zero exposure; lazy storage."""
        from gammabin.maps import Map

        axes = geom.axes
        kernel = overlap_fraction(axes["energy"], axes["energy_true"]).astype(dtype)
        full = np.broadcast_to(kernel[:, :, None, None], geom.data_shape)
        edisp = Map.from_geom(geom, data=full, unit="")
        geom_x = geom.squash("energy")
        exposure = Map.from_geom(geom_x, data=lazy_full(geom_x.data_shape, 0, dtype), unit="m2 s")
        return cls(edisp, exposure)

    @classmethod
    def from_diagonal_response(cls, energy_axis, energy_axis_true=None, geom=None):
        from gammabin.maps import WcsGeom

        if energy_axis_true is None:
            energy_axis_true = energy_axis.copy(name="energy_true")
        if geom is None:
            geom = WcsGeom.create(npix=(2, 1), proj="CAR", binsz=180, axes=[energy_axis, energy_axis_true])
        else:
            geom = geom.to_image().to_cube([energy_axis, energy_axis_true])
        return cls.from_geom(geom)

    def get_edisp_kernel(self, position=None, energy_axis=None):
        """Kernel (true × reco) at the nearest pixel with a non-zero kernel."""
        axes = self._irf_map.geom.axes
        if energy_axis is not None and energy_axis != axes["energy"]:
            raise ValueError("energy_axis must equal the kernel map's reco energy axis")
        iy, ix = self._nearest_valid_pixel(position)
        data = np.asarray(self._irf_map.data)
        data = data.reshape((-1,) + data.shape[-4:])[0]
        return _make_kernel(axes["energy_true"], axes["energy"], data[:, :, iy, ix])


class EDispMap(_EDispBase):
    """Migra pdf per pixel: axes ``[migra, energy_true]``."""

    tag = "edisp_map"
    required_axes = ("migra", "energy_true")

    def __init__(self, edisp_map, exposure_map=None):  # gammapy's keyword names
        super().__init__(edisp_map, exposure_map)

    @classmethod
    def from_geom(cls, geom, dtype="float32"):
        """A delta at migra 1 in every pixel and true bin, zero exposure; lazy storage."""
        from gammabin.maps import Map

        pdf = delta_migra_pdf(geom.axes["migra"]).astype(dtype)
        edisp = Map.from_geom(geom, data=np.broadcast_to(pdf[:, None, None], geom.data_shape), unit="")
        geom_x = geom.squash("migra")
        exposure = Map.from_geom(geom_x, data=lazy_full(geom_x.data_shape, 0, dtype), unit="m2 s")
        return cls(edisp, exposure)

    def _kernels(self, energy_axis, pdf):
        """Kernels (..., n_true, n_reco) from migra pdfs (..., n_true, n_migra): CDF at
        the migra edges, linear interpolation at E_reco/E_true, differences."""
        migra = self._irf_map.geom.axes["migra"]
        e_true = self._irf_map.geom.axes["energy_true"].center
        edges_m = migra.edges.value
        cdf = np.concatenate([np.zeros(pdf.shape[:-1] + (1,)), np.cumsum(pdf * migra.bin_width.value, axis=-1)], -1)
        m = energy_axis.edges.to_value(e_true.unit)[None, :] / e_true.value[:, None]  # (n_true, n_reco+1)
        out = np.empty(pdf.shape[:-1] + (m.shape[1],))
        for t in range(m.shape[0]):
            idx = np.clip(np.searchsorted(edges_m, m[t]) - 1, 0, len(edges_m) - 2)
            w = np.clip((m[t] - edges_m[idx]) / (edges_m[idx + 1] - edges_m[idx]), 0, 1)
            c = cdf[..., t, :]
            out[..., t, :] = c[..., idx] * (1 - w) + c[..., idx + 1] * w
        kernel = np.clip(np.diff(out, axis=-1), 0, None)
        return np.where(kernel < 1e-8, 0, kernel)

    def get_edisp_kernel(self, energy_axis, position=None):
        iy, ix = self._nearest_valid_pixel(position)
        data = np.asarray(self._irf_map.data)
        pdf = data.reshape((-1,) + data.shape[-4:])[0][:, :, iy, ix]  # (n_true, n_migra)
        return _make_kernel(self._irf_map.geom.axes["energy_true"], energy_axis, self._kernels(energy_axis, pdf))

    def to_edisp_kernel_map(self, energy_axis):
        from gammabin.maps import Map

        data = np.asarray(self._irf_map.data, dtype=float)
        pdf = np.moveaxis(data, (-2, -1), (0, 1))  # (ny, nx, ..., n_true, n_migra)
        kernel = np.moveaxis(self._kernels(energy_axis, pdf), (0, 1), (-2, -1))
        geom = self._irf_map.geom.to_image().to_cube([energy_axis, self._irf_map.geom.axes["energy_true"]])
        edisp = Map.from_geom(geom, data=kernel, unit="")
        exposure = self.exposure_map.copy() if self.exposure_map is not None else None
        return EDispKernelMap(edisp, exposure)
