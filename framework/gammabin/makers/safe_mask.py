"""Safe data range masks (datasets-makers.md §2.5): the core behind the ``safemask``
plugin's SafeMaskMaker.  Each ``mask_*`` returns a boolean array broadcastable to the
dataset's counts geometry ``data_shape``; thresholds are found on plain floats.

Energy masks keep reco bin k iff ``lower_edge ≥ E_min`` and ``upper_edge ≤ E_max``
(inclusive; a missing limit is the axis end).
"""
import logging
import warnings

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord

from gammabin import kernels

from .builders.dataset_step import observation_pointing
from .builders.pixels import pixel_grid

__all__ = [
    "energy_bin_mask",
    "mask_offset_max",
    "mask_aeff_default",
    "mask_aeff_max",
    "mask_edisp_bias",
    "mask_bkg_peak",
    "find_first_root",
    "loglog_template",
    "apply_safe_mask",
]

log = logging.getLogger(__name__)

_TINY32 = float(np.finfo(np.float32).tiny)


# --- helpers ----------------------------------------------------------------------


def _counts_geom(dataset):
    return dataset._geom if hasattr(dataset, "_geom") else dataset.geoms["geom"]


def _energy_edges(geom, unit="TeV"):
    return np.asarray(geom.axes["energy"].edges.to_value(unit), dtype=float)


def energy_bin_mask(geom, energy_min_tev=None, energy_max_tev=None):
    """Boolean array of ``geom.data_shape``: reco bins inside ``[E_min, E_max]`` (TeV)."""
    axis = geom.axes["energy"]
    edges = np.asarray(axis.edges.value, dtype=float)
    factor = float(u.TeV.to(axis.unit))
    mask = np.ones(axis.nbin, dtype=bool)
    if energy_min_tev is not None:
        mask &= edges[:-1] >= energy_min_tev * factor
    if energy_max_tev is not None:
        mask &= edges[1:] <= energy_max_tev * factor
    shape = [1] * len(geom.data_shape)
    shape[geom.axes.index_data("energy")] = -1
    return np.broadcast_to(mask.reshape(shape), geom.data_shape)


def _skycoord_in_frame(position, frame):
    if not isinstance(position, SkyCoord):
        raise TypeError(f"position must be a SkyCoord, got {type(position).__name__}")
    return position.transform_to(frame)


def _nearest_pixel(geom, position):
    """(iy, ix) of the pixel nearest to ``position`` with scipy's rule (ties → lower index),
    through WCSLIB as gammapy's ``interp_by_coord(method="nearest")`` (H2)."""
    if getattr(geom, "is_region", False):
        return 0, 0
    frame = str(getattr(geom.frame, "name", geom.frame)).lower()
    sky = _skycoord_in_frame(position, frame)
    x, y = geom.wcs.wcs_world2pix(float(sky.spherical.lon.deg), float(sky.spherical.lat.deg), 0)
    ny, nx = geom.data_shape[-2:]
    iy = kernels.grid_brackets(np.arange(ny, dtype=float), np.array([float(y)]), method="nearest")[0][0][0]
    ix = kernels.grid_brackets(np.arange(nx, dtype=float), np.array([float(x)]), method="nearest")[0][0][0]
    return int(iy), int(ix)


def loglog_template(x_nodes, y_nodes):
    """gammapy's TemplateSpectralModel: linear interpolation of ln y (clipped at the
    float32 tiny) over ln x, extrapolated; exp back, tiny → 0."""
    lx = np.log(np.asarray(x_nodes, dtype=float))
    ly = np.log(np.clip(np.asarray(y_nodes, dtype=float), _TINY32, np.inf))

    def evaluate(x):
        corners = kernels.grid_brackets(lx, np.log(np.asarray(x, dtype=float)))
        values = kernels.grid_interpolate(ly, [corners]) if lx.size > 1 else np.full(np.shape(x), ly[0])
        out = np.exp(values)
        return np.where(np.abs(out) - _TINY32 <= _TINY32, 0, out)

    return evaluate


def _brentq(f, xa, xb, xtol=2e-12, rtol=4 * np.finfo(float).eps, maxiter=100):
    """Brent's root finder, step for step as ``scipy.optimize.brentq`` (same iterates,
    same defaults): importing scipy.optimize costs more than a whole run's safe masks."""
    xpre, xcur = float(xa), float(xb)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = float(f(xpre)), float(f(xcur))
    if fpre * fcur > 0:
        raise ValueError("f(a) and f(b) must have different signs")
    if fpre == 0:
        return xpre
    if fcur == 0:
        return xcur
    for _ in range(maxiter):
        if fpre != 0 and fcur != 0 and (np.signbit(fpre) != np.signbit(fcur)):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:  # extrapolate
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):
                spre, scur = scur, stry  # good short step
            else:
                spre = scur = sbis  # bisect
        else:
            spre = scur = sbis  # bisect
        xpre, fpre = xcur, fcur
        xcur += scur if abs(scur) > delta else (delta if sbis > 0 else -delta)
        fcur = float(f(xcur))
    raise RuntimeError(f"Brent's method did not converge in {maxiter} iterations")


def find_first_root(func, x_min, x_max, nbin=100):
    """First root of ``func`` on [x_min, x_max]: ``nbin + 1`` log-spaced samples, the first
    sign change refined by Brent's method; NaN if none (gammapy ``find_roots``)."""
    brentq = _brentq

    x = np.exp(np.linspace(np.log(x_min), np.log(x_max), nbin + 1))
    signs = np.sign(func(x))
    idx = np.where(signs[:-1] != signs[1:])[0]
    if len(idx) == 0:
        return np.nan
    try:
        return float(brentq(lambda v: float(func(np.array([v]))[0]), x[idx[0]], x[idx[0] + 1]))
    except (RuntimeError, ValueError):
        return np.nan


def _template_inverse(x_nodes, y_nodes, value, x_min, x_max):
    template = loglog_template(x_nodes, y_nodes)
    return find_first_root(lambda x: 1e12 * (template(x) - value), x_min, x_max)


def _position(maker, dataset, observation):
    """aeff-max / edisp-bias position: pointing offset by ``fixed_offset`` toward PA 0,
    else ``position``, else None (caller's default)."""
    if maker.fixed_offset is not None:
        if observation is None:
            raise ValueError("SafeMaskMaker: observation is required with fixed_offset")
        ra, dec = observation_pointing(observation)
        pointing = SkyCoord(ra, dec, unit="deg", frame="icrs")
        return pointing.directional_offset_by(0 * u.deg, maker.fixed_offset)
    return maker.position


# --- masks --------------------------------------------------------------------------


def mask_offset_max(maker, dataset, observation):
    """Pixel centres closer than ``offset_max`` to the pointing (strict), all energies."""
    if observation is None:
        raise ValueError("SafeMaskMaker: the 'offset-max' method needs the observation (its pointing)")
    geom = _counts_geom(dataset)
    ra0, dec0 = observation_pointing(observation)
    offset_max = float(maker.offset_max.to_value("deg"))
    if getattr(geom, "is_region", False):
        offset = geom.separation(SkyCoord(ra0, dec0, unit="deg", frame="icrs")).to_value("deg")
        image = np.asarray(offset < offset_max).reshape(geom.data_shape[-2:])
    else:
        image = (pixel_grid(geom).offset(ra0, dec0) < offset_max).reshape(geom.data_shape[-2:])
    return np.broadcast_to(image, geom.data_shape)


def _aeff_meta(dataset, observation):
    aeff = getattr(observation, "aeff", None) if observation is not None else None
    return aeff


def mask_aeff_default(maker, dataset, observation):
    """AEFF header LO_THRES / HI_THRES (always TeV); missing or zero → no limit (warning)."""
    aeff = _aeff_meta(dataset, observation)
    if aeff is None:
        raise ValueError("SafeMaskMaker: the 'aeff-default' method needs an observation with an effective area")
    meta = getattr(aeff, "meta", {}) or {}
    obs_id = getattr(observation, "obs_id", None)
    limits = []
    for key in ("LO_THRES", "HI_THRES"):
        value = meta.get(key)
        if not value:
            warnings.warn(f"No default {'lower' if key == 'LO_THRES' else 'upper'} safe energy threshold "
                          f"({key}) defined for obs {obs_id}")
            limits.append(None)
        else:
            limits.append(float(value))
    return energy_bin_mask(_counts_geom(dataset), *limits)


def _aeff_max_dl3(maker, dataset, observation):
    geom = _counts_geom(dataset)
    if maker.fixed_offset is not None:
        offset = float(maker.fixed_offset.to_value("deg"))
    elif maker.position is not None:
        ra0, dec0 = observation_pointing(observation)
        icrs = maker.position.icrs
        offset = float(kernels.angular_separation(ra0, dec0, icrs.ra.deg, icrs.dec.deg))
    else:
        offset = 0.0
    aeff = observation.aeff
    edges = np.asarray(aeff.axes["energy_true"].edges.to_value("TeV"), dtype=float)
    values = aeff.evaluate(energy_true=edges * u.TeV, offset=offset * u.deg).value
    threshold = maker.aeff_percent / 100.0 * values.max()
    above = np.nonzero(values > threshold)[0]
    energy_min = edges[above[0]] if above.size else None
    return energy_bin_mask(geom, energy_min)


def mask_aeff_max(maker, dataset, observation):
    """Lower threshold where the effective area reaches ``aeff_percent`` % of its maximum."""
    if maker.irfs == "DL3":
        return _aeff_max_dl3(maker, dataset, observation)
    geom = _counts_geom(dataset)
    exposure = dataset.exposure
    position = _position(maker, dataset, observation)
    if position is None:
        position = geom.center_skydir
    exposure_geom = exposure.geom
    iy, ix = _nearest_pixel(exposure_geom, position)
    livetime = exposure.meta["livetime"]
    livetime_s = float(u.Quantity(livetime).to_value("s"))
    spectrum = np.asarray(exposure.quantity[..., iy, ix].to_value("m2 s"), dtype=float).reshape(-1) / livetime_s
    energy = np.asarray(exposure_geom.axes["energy_true"].center.to_value("TeV"), dtype=float)
    if not np.any(spectrum > 0):
        warnings.warn(f"Effective area is all zero at {position}; mask_safe set to False (dataset {dataset.name})")
        return np.zeros(geom.data_shape, dtype=bool)
    energy_min = energy[np.nonzero(spectrum > 0)[0][0]]
    root = _template_inverse(energy, spectrum, maker.aeff_percent / 100.0 * spectrum.max(), energy_min, energy[-1])
    if not np.isnan(root):
        energy_min = root
    return energy_bin_mask(geom, energy_min)


def kernel_bias(kernel, energy_true, reco_edges):
    """Relative bias per true bin of a (n_true, n_reco) kernel (mean 0 for empty rows)."""
    reco_centres = np.sqrt(reco_edges[:-1] * reco_edges[1:])
    norm = kernel.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(norm > 0, (kernel * reco_centres).sum(axis=1) / norm, 0.0)
    return (mean - energy_true) / energy_true


def bias_energy_threshold(kernel, energy_true, reco_edges, bias):
    """Reco energy above which the bias stays below ``bias`` (gammapy ``get_bias_energy``)."""
    values = kernel_bias(kernel, energy_true, reco_edges)
    peak = energy_true[np.nanargmax(values)]
    root = _template_inverse(energy_true, values, bias, peak, energy_true[-1])
    if np.isnan(root):
        root = peak
    return root * (1 + bias)


def _kernel_at(edisp, geom_counts, position):
    """(kernel (n_true, n_reco), true centres, reco edges) of an edisp map at the nearest pixel."""
    from .builders.quantities import axis_values

    is_kernel = hasattr(edisp, "edisp_kernel_map") or edisp.edisp_map.geom.axes[0].name == "energy"
    emap = edisp.edisp_map
    geom = emap.geom
    if position is None:
        position = geom.center_skydir
    iy, ix = _nearest_pixel(geom, position)
    data = np.asarray(emap.data, dtype=float)
    valid = data.reshape(-1, *data.shape[-2:]).sum(axis=0) > 0
    if not getattr(geom, "is_region", False) and not valid[iy, ix] and valid.any():
        # gammapy moves to the nearest pixel holding a kernel (with a warning)
        frame = str(getattr(geom.frame, "name", geom.frame)).lower()
        sky = _skycoord_in_frame(position, frame)
        grid = pixel_grid(geom)
        sep = kernels.angular_separation(sky.spherical.lon.deg, sky.spherical.lat.deg, grid.lon, grid.lat)
        sep = np.where(valid.ravel(), sep, np.inf)
        iy, ix = np.unravel_index(int(np.argmin(sep)), valid.shape)
        warnings.warn(f"Position {position} is outside the valid IRF map range, using nearest IRF defined within")
    energy_true = axis_values(geom.axes["energy_true"], "center", "TeV")
    if is_kernel:
        kernel = data[:, :, iy, ix]
        reco_edges = axis_values(geom.axes["energy"], "edges", "TeV")
        return kernel, energy_true, reco_edges
    # EDispMap: migra pdf → kernel on the dataset's reco axis
    from .builders.edisp import kernel_from_pdf

    migra_edges = axis_values(geom.axes["migra"], "edges", "")
    reco_edges = axis_values(geom_counts.axes["energy"], "edges", "TeV")
    pdf = data[:, :, iy, ix][:, :, None]
    kernel = kernel_from_pdf(pdf, migra_edges, energy_true, reco_edges)[:, :, 0]
    return kernel, energy_true, reco_edges


def mask_edisp_bias(maker, dataset, observation):
    """Lower threshold where the energy bias falls below ``bias_percent`` %."""
    geom = _counts_geom(dataset)
    bias = maker.bias_percent / 100.0
    if maker.irfs == "DL3":
        from .builders.edisp import kernel_from_pdf
        from .builders.irf_eval import edisp_on_pixels
        from .builders.irf_grid import irf_grid

        ra0, dec0 = observation_pointing(observation)
        center = geom.center_skydir.icrs
        offset = kernels.angular_separation(ra0, dec0, center.ra.deg, center.dec.deg)
        edisp = observation.edisp
        energy_true = np.asarray(edisp.axes["energy_true"].center.to_value("TeV"), dtype=float)
        reco_edges = np.asarray(edisp.axes["energy_true"].edges.to_value("TeV"), dtype=float)
        migra_edges = irf_grid(edisp).edges["migra"]
        pdf = edisp_on_pixels(edisp, energy_true, np.atleast_1d(offset))
        norm = np.sum(pdf * np.diff(migra_edges)[None, :, None], axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            pdf = np.nan_to_num(pdf / norm)
        kernel = kernel_from_pdf(pdf, migra_edges, energy_true, reco_edges)[:, :, 0]
    else:
        kernel, energy_true, reco_edges = _kernel_at(dataset.edisp, geom, _position(maker, dataset, observation))
    return energy_bin_mask(geom, bias_energy_threshold(kernel, energy_true, reco_edges, bias))


def mask_bkg_peak(maker, dataset, observation):
    """Lower threshold at the lower edge of the reco bin where the background peaks."""
    geom = _counts_geom(dataset)
    if maker.irfs == "DL3":
        bkg = observation.bkg
        if "offset" not in bkg.axes.names:
            bkg = bkg.to_2d()
        offset_axis = bkg.axes["offset"]
        edges = np.asarray(bkg.axes["energy"].edges.to_value("TeV"), dtype=float)
        off_edges = offset_axis.edges
        profile = bkg.integral(axis_name="offset", offset=off_edges[-1], energy=edges * u.TeV)
        energy_min = edges[int(np.argmax(np.asarray(profile.value)))]
        return energy_bin_mask(geom, energy_min)
    npred = np.asarray(dataset.npred_background().data, dtype=float)
    idx = geom.axes.index_data("energy")
    other = tuple(i for i in range(npred.ndim) if i != idx)
    profile = npred.sum(axis=other)
    edges = _energy_edges(geom)
    return energy_bin_mask(geom, edges[int(np.argmax(profile))])


_METHODS = {
    "offset-max": mask_offset_max,
    "aeff-default": mask_aeff_default,
    "aeff-max": mask_aeff_max,
    "edisp-bias": mask_edisp_bias,
    "bkg-peak": mask_bkg_peak,
}
METHOD_ORDER = tuple(_METHODS)


def apply_safe_mask(maker, dataset, observation=None):
    """SafeMaskMaker.run: AND the requested masks into ``dataset.mask_safe`` (in place
    on its data when it exists) and return the same dataset."""
    from gammabin.maps import Map

    if maker.irfs == "DL3" and observation is None:
        raise ValueError("SafeMaskMaker: irfs='DL3' requires an observation")
    geom = _counts_geom(dataset)
    if dataset.mask_safe is not None and dataset.mask_safe:
        mask = dataset.mask_safe.data
        if mask.dtype != bool:
            mask = mask.astype(bool)
    else:
        mask = np.ones(geom.data_shape, dtype=bool)
    background = getattr(dataset, "background", None)
    if background is not None:
        values = np.asarray(background.data)
        mask &= np.isfinite(values)
        if getattr(dataset, "stat_type", "cash") == "cash":
            mask &= values > 0.0
    for method in METHOD_ORDER:
        if method in maker.methods:
            mask &= _METHODS[method](maker, dataset, observation)
    dataset.mask_safe = Map.from_geom(geom, data=mask, dtype=bool)
    return dataset
