"""Cutouts, energy resampling and images of map datasets (spec §1.5)."""
import copy as _copy

import numpy as np

from gammabin.irf.edisp_map import EDispKernelMap
from gammabin.irf.irf_map import cutout_map

__all__ = ["cutout", "resample_energy_axis", "to_image", "resample_map_axis"]


def cutout(dataset, position, width, mode="trim", name=None):
    """Each map cut around ``position`` (IRF maps at least 3 pixels); GTI and meta table
    shared, meta fresh, random name unless given; background only for cash."""
    kwargs = {"gti": dataset.gti, "name": name, "meta_table": dataset.meta_table}
    position, width = _resolved(dataset, position, width)
    memo = {}  # one cutout geometry per geometry object (maps share them)
    cut = dict(position=position, width=width, mode=mode)
    # nothing stacked yet (a reference fresh from create, cut out for a run): its maps
    # are probably zeros, checked per map before copying
    fresh = dataset.gti is None or len(dataset.gti) == 0
    for key in ("counts", "exposure", "mask_safe", "mask_fit"):
        m = getattr(dataset, key)
        if m is not None:
            kwargs[key] = cutout_map(m, **cut, memo=memo, maybe_zero=fresh)
    if dataset.stat_type == "cash" and getattr(dataset, "background", None) is not None:
        kwargs["background"] = cutout_map(dataset.background, **cut, memo=memo, maybe_zero=fresh)
    for key in ("psf", "edisp"):
        irf = getattr(dataset, key)
        if irf is not None:
            try:
                kwargs[key] = irf.cutout(**cut, _memo=memo)
            except TypeError:  # an IRF map class without the memo argument
                kwargs[key] = irf.cutout(**cut)
    for key in getattr(dataset, "_extra_maps", ()):
        m = getattr(dataset, key)
        if m is not None:
            kwargs[key] = cutout_map(m, **cut, memo=memo)
    return type(dataset)(**kwargs)


def _resolved(dataset, position, width):
    """Position as (lon, lat) degrees in the dataset's frame and width as degrees, once
    for all maps (each map's geometry would otherwise transform the SkyCoord and parse
    the width again; the numbers are the ones its ``cutout`` computes)."""
    from astropy.coordinates import SkyCoord

    from gammabin.maps.coord import _skycoord_lonlat
    from gammabin.maps.wcs_geom import WcsGeom, _angle_pair

    geoms = [m.geom for m in (dataset.counts, dataset.exposure, dataset.mask_safe) if m is not None]
    if not geoms or not all(isinstance(g, WcsGeom) for g in geoms):
        return position, width
    frames = {g.frame for g in geoms}
    for irf in (dataset.psf, dataset.edisp):
        if irf is not None:
            frames |= {irf._irf_map.geom.frame} if hasattr(irf, "_irf_map") else {None}
    if len(frames) != 1 or None in frames:
        return position, width
    if isinstance(position, SkyCoord) and position.isscalar:
        lon, lat, _ = _skycoord_lonlat(position, frame=frames.pop())
        position = (float(lon), float(lat))
    return position, _angle_pair(width)


def resample_map_axis(m, axis, weights=None, ufunc=np.add):
    """Reduce groups of bins of ``m`` along ``axis.name`` onto ``axis`` (whose edges are
    a subset of the map axis edges), multiplying by ``weights`` first."""
    from gammabin.maps import Map

    geom = m.geom
    old = geom.axes[axis.name]
    idx = old.coord_to_idx(axis.edges[:-1])
    data = np.asarray(m.data)
    if weights is not None:
        data = data * np.asarray(getattr(weights, "data", weights))
    data_axis = geom.axes.index_data(axis.name)
    reduced = ufunc.reduceat(data, np.asarray(idx, dtype=int), axis=data_axis)
    return Map.from_geom(geom.resample_axis(axis), data=reduced, unit=m.unit, meta=_copy.deepcopy(m.meta))


def resample_energy_axis(dataset, energy_axis, name=None):
    """Counts/background summed per group of reco bins with mask_safe weights, masks
    OR-ed, exposure and PSF kept, kernel re-binned with ``mask_safe_edisp`` weights."""
    weights = dataset.mask_safe
    kwargs = {
        "gti": None if dataset.gti is None else dataset.gti.copy(),
        "name": name,
        "exposure": dataset.exposure,
        "psf": dataset.psf,
        "meta_table": dataset.meta_table,
    }
    if dataset.counts is not None:
        kwargs["counts"] = resample_map_axis(dataset.counts, energy_axis, weights)
    if dataset.stat_type == "cash" and getattr(dataset, "background", None) is not None:
        kwargs["background"] = resample_map_axis(dataset.npred_background(), energy_axis, weights)
    for key in ("mask_safe", "mask_fit"):
        m = getattr(dataset, key)
        if m is not None:
            kwargs[key] = resample_map_axis(m, energy_axis, ufunc=np.logical_or)
    edisp = dataset.edisp
    if isinstance(edisp, EDispKernelMap):
        w = dataset.mask_safe_edisp
        edisp_map = resample_map_axis(edisp.edisp_map, energy_axis, w)
        edisp = EDispKernelMap(edisp_map, edisp.exposure_map)
    kwargs["edisp"] = edisp
    for key in getattr(dataset, "_extra_maps", ()):
        m = getattr(dataset, key)
        if m is not None:
            kwargs[key] = resample_map_axis(m, energy_axis, weights)
    return type(dataset)(**kwargs)


def to_image(dataset, name=None):
    """Resample onto one reco bin (exposure keeps its true axis; unsafe counts dropped)."""
    axis = dataset._geom.axes["energy"].squash()
    return resample_energy_axis(dataset, axis, name=name)
