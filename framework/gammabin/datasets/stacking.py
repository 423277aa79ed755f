"""``MapDataset.stack`` (spec §1.4) and the IRF stacking weights.

The weights decide which IRF pixels receive a run's PSF/EDISP, so they reproduce
gammapy's float64 operations through WCSLIB (hazards H1, H3):

* ``mask_safe_psf``: the safe image sampled by nearest pixel ``floor(pix + 0.5)`` at the
  PSF-map pixel centres (``wcs_pix2world`` of the IRF grid, then ``wcs_world2pix`` of the
  mask grid; the x.5 ± 1e-12 round-off decides boundary pixels);
* ``mask_safe_edisp``: the 3-D safe mask linearly interpolated in pixel space (scipy's
  ``RegularGridInterpolator`` arithmetic, extrapolating) at the IRF pixel centres and the
  reco-bin centres (whose pix is ``2.2e-16`` for bin 0, H3), any non-zero value → True.
"""
import numpy as np
from astropy.coordinates import SkyCoord

from gammabin.irf.irf_map import add_into, writable

__all__ = ["prepare_stack_target", "mask_safe_image", "mask_safe_psf", "mask_safe_edisp", "stack_datasets", "union_gti", "stack_meta_tables"]


def mask_safe_image(dataset):
    """OR of mask_safe over the non-spatial axes, (ny, nx) bool array (None without mask)."""
    if dataset.mask_safe is None:
        return None
    data = np.asarray(dataset.mask_safe.data, dtype=bool)
    return data.reshape((-1,) + data.shape[-2:]).any(axis=0)


def _irf_pixels_in(source_geom, target_geom):
    """Float pixel coordinates (x, y) in ``target_geom`` of the pixel centres of
    ``source_geom`` (WCSLIB both ways, frames converted if they differ)."""
    ny, nx = source_geom.data_shape[-2:]
    yy, xx = np.meshgrid(np.arange(ny, dtype=float), np.arange(nx, dtype=float), indexing="ij")
    lon, lat = source_geom.wcs.wcs_pix2world(xx, yy, 0)
    if source_geom.frame != target_geom.frame:
        c = SkyCoord(lon, lat, unit="deg", frame=source_geom.frame).transform_to(target_geom.frame)
        sph = c.represent_as("unitspherical")
        lon, lat = sph.lon.deg, sph.lat.deg
    x, y = target_geom.wcs.wcs_world2pix(lon, lat, 0)
    return x, y


def _nearest_sample(image, x, y):
    """Nearest-pixel sampling of a 2-D bool image, False outside."""
    ny, nx = image.shape
    ix, iy = np.floor(x + 0.5), np.floor(y + 0.5)
    inside = np.isfinite(ix) & np.isfinite(iy) & (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    out = np.zeros(x.shape, dtype=bool)
    out[inside] = image[iy[inside].astype(int), ix[inside].astype(int)]
    return out


def _brackets(n, pix):
    """scipy RegularGridInterpolator (linear, extrapolating) indices and weights on the
    grid ``0..n-1``: ``i = clip(searchsorted(grid, x) - 1, 0, n - 2)``, ``t = x - i``."""
    grid = np.arange(n, dtype=float)
    i = np.clip(np.searchsorted(grid, pix) - 1, 0, n - 2)
    return i, pix - grid[i]


def _linear_sample_2d(image, x, y):
    """Bilinear interpolation of ``image`` (``(..., ny, nx)``, any real dtype, sampled as
    float64) at (x, y), extrapolating; one-pixel dimensions are dropped as in gammapy.
    Only the sampled values are converted (the image may be a large bool cube); every
    leading plane is sampled at once, result ``(..., *x.shape)``."""
    ny, nx = image.shape[-2:]

    def at(jj, ii):
        return image[..., jj, ii].astype(float)

    if ny == 1 and nx == 1:
        lead = image.shape[:-2]
        return np.broadcast_to(at(0, 0).reshape(lead + (1,) * x.ndim), lead + x.shape).copy()
    if ny == 1:
        i, t = _brackets(nx, x)
        return at(0, i) * (1 - t) + at(0, i + 1) * t
    if nx == 1:
        j, s = _brackets(ny, y)
        return at(j, 0) * (1 - s) + at(j + 1, 0) * s
    i, t = _brackets(nx, x)
    j, s = _brackets(ny, y)
    return (
        at(j, i) * (1 - s) * (1 - t)
        + at(j, i + 1) * (1 - s) * t
        + at(j + 1, i) * s * (1 - t)
        + at(j + 1, i + 1) * s * t
    )


def mask_safe_psf(dataset):
    """Safe image nearest-sampled at the PSF-map pixel centres, shape (1, 1, ny, nx)."""
    image = mask_safe_image(dataset)
    if image is None or dataset.psf is None:
        return None
    geom = dataset.psf.psf_map.geom
    x, y = _irf_pixels_in(geom, dataset.mask_safe.geom)
    return _nearest_sample(image, x, y)[None, None]


def mask_safe_edisp(dataset):
    """EDISP stacking weights (H3): kernel map → (1, n_reco, ny, nx); EDispMap → (1, 1, ny, nx)."""
    if dataset.mask_safe is None or dataset.edisp is None:
        return None
    mask_geom = dataset.mask_safe.geom
    if getattr(mask_geom, "is_region", False):
        # the safe mask itself, as (1, n_reco, 1, 1) to broadcast over the true axis
        return np.asarray(dataset.mask_safe.data, dtype=bool)[None]
    geom = dataset.edisp.edisp_map.geom
    x, y = _irf_pixels_in(geom, mask_geom)
    if "migra" in geom.axes.names:
        image = mask_safe_image(dataset)
        return (_linear_sample_2d(image, x, y) != 0)[None, None]
    mask = np.asarray(dataset.mask_safe.data)
    mask = mask.reshape((-1,) + mask.shape[-3:])[0]  # (n_reco, ny, nx), converted when sampled
    mask_axis = mask_geom.axes["energy"]
    reco_axis = geom.axes["energy"]
    # reco-bin centres of the mask's own axis, as gammapy samples them (H3)
    e_pix = np.asarray(mask_axis.coord_to_pix(mask_axis.center), dtype=float)
    n_e = mask.shape[0]
    planes = _linear_sample_2d(mask, x, y)  # (n_e, ny, nx), every plane at the same points
    if n_e > 1:
        k, t = _brackets(n_e, e_pix)
        values = planes[k] * (1 - t)[:, None, None] + planes[k + 1] * t[:, None, None]
    else:
        values = np.repeat(planes, len(e_pix), axis=0)
    interp = values != 0  # (n_mask_reco, ny, nx) on the mask's energy axis
    if reco_axis != mask_axis:
        # second step: nearest sampling along energy onto the kernel's reco axis
        pix = np.asarray(mask_axis.coord_to_pix(reco_axis.center), dtype=float)
        idx = np.floor(pix + 0.5).astype(int)
        ok = (idx >= 0) & (idx < n_e)
        out = np.zeros((len(idx),) + interp.shape[1:], dtype=bool)
        out[ok] = interp[idx[ok]]
        interp = out
    return interp[None]


def union_gti(gti, other):
    """Append ``other``'s intervals, then merge overlapping and touching ones."""
    return type(gti).from_stack([gti, other]).union()


def stack_meta_tables(table, other):
    """One row whose cells are the concatenations of both tables' cells (units dropped)."""
    from astropy.table import Table

    names, columns = [], []
    for name in table.colnames:
        if name not in other.colnames:
            continue
        a = np.asarray(table[name])
        b = np.asarray(other[name])
        a = a.reshape(-1) if a.ndim else a[None]
        b = b.reshape(-1) if b.ndim else b[None]
        names.append(name)
        columns.append(np.concatenate([a, b])[None])
    # one constructor call: adding columns one by one re-validates the table each time
    return Table(columns, names=names, copy=False) if names else Table()


def prepare_stack_target(dataset):
    """Materialise the arrays a first ``stack`` into ``dataset`` would write, faulting
    their pages in now: for a survey-sized reference that is most of the parent's
    stacking time, better spent while the workers are still busy.  Results unchanged."""
    for m in (dataset.counts, dataset.exposure, dataset.background, dataset.mask_safe):
        if m is not None:
            writable(m, touch=True)
    for irf in (dataset.psf, dataset.edisp):
        if irf is not None and irf.exposure_map is not None:
            irf.prepare_stack(touch=True)


def stack_datasets(self, other, nan_to_num=True):
    """In-place stack of ``other`` into ``self`` (rules of §1.4; the receiver's own mask
    is never applied)."""
    safe_o = None if other.mask_safe is None else np.asarray(other.mask_safe.data)
    image_o = mask_safe_image(other)

    if self.counts is not None and other.counts is not None:
        add_into(self.counts, other.counts.data, other.counts.unit, other.counts.geom, safe_o, nan_to_num)

    if self.exposure is not None and other.exposure is not None:
        add_into(self.exposure, other.exposure.data, other.exposure.unit, other.exposure.geom, image_o, nan_to_num)
        meta_o = other.exposure.meta
        if "livetime" in meta_o and image_o is not None and np.any(image_o):
            if "livetime" in self.exposure.meta:
                self.exposure.meta["livetime"] = self.exposure.meta["livetime"] + meta_o["livetime"]
            else:
                self.exposure.meta["livetime"] = meta_o["livetime"].copy()

    if self.stat_type == "cash" and self.background is not None and other.background is not None:
        background = self.npred_background()
        bkg_o = other.npred_background()
        add_into(background, bkg_o.data, bkg_o.unit, bkg_o.geom, safe_o, nan_to_num)
        self.background = background

    if self.psf is not None and other.psf is not None:
        self.psf.stack(other.psf, weights=mask_safe_psf(other))

    if self.edisp is not None and other.edisp is not None:
        self.edisp.stack(other.edisp, weights=mask_safe_edisp(other))

    if self.mask_safe is not None and other.mask_safe is not None:
        _or_into(self.mask_safe, other.mask_safe)

    if self.mask_fit is not None and other.mask_fit is not None:
        _or_into(self.mask_fit, other.mask_fit)
    elif other.mask_fit is not None:
        self.mask_fit = other.mask_fit.copy()

    if self.gti is not None and other.gti is not None:
        self.gti = union_gti(self.gti, other.gti)

    if self.meta_table is not None and len(self.meta_table) and other.meta_table is not None and len(other.meta_table):
        self.meta_table = stack_meta_tables(self.meta_table, other.meta_table)
    elif other.meta_table is not None and len(other.meta_table):
        self.meta_table = other.meta_table.copy()


def _or_into(target, other):
    from gammabin.irf.irf_map import insertion_slices

    found = insertion_slices(target.geom, other.geom)
    if found is None:
        return
    parent, child = found
    data = writable(target)
    data[(Ellipsis, *parent)] |= np.asarray(other.data, dtype=bool)[(Ellipsis, *child)]
