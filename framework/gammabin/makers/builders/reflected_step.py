"""The run step of ``ReflectedRegionsBackgroundMaker`` (background-makers.md §3): find
OFF regions about the pointing, count the OFF events (union of the OFF circles in the
finder's pixel plane, or RAD_MAX points), and build the ON/OFF spectrum dataset."""
import logging
from itertools import combinations

import numpy as np
from astropy import units as u

from gammabin import kernels

from .off_counts import off_counts_values
from .rad_max_counts import make_counts_off_rad_max, point_centres_radec

__all__ = ["make_reflected_onoff", "check_rad_max_region", "regions_overlap_rad_max"]

log = logging.getLogger(__name__)


def check_rad_max_region(rad_max, geom, rtol=1e-3):
    """Point-like IRFs need a point ON region, or a circle of the fixed RAD_MAX radius."""
    from regions import CircleSkyRegion

    if geom.is_all_point_sky_regions:
        return
    if isinstance(geom.region, CircleSkyRegion) and rad_max.is_fixed_rad_max:
        expected = u.Quantity(rad_max.quantity).to_value("deg")
        if not np.allclose(geom.region.radius.to_value("deg"), expected, rtol):
            raise ValueError(
                "CircleSkyRegion radius must be equal to RADMAX for point-like IRFs with fixed RADMAX. "
                f"Expected {rad_max.quantity} got {geom.region.radius}."
            )
        return
    raise ValueError(
        "Must use `PointSkyRegion` or `CircleSkyRegion` with rad max equivalent radius in point-like analysis, "
        f"got {type(geom.region)} instead"
    )


def regions_overlap_rad_max(ra, dec, rad_max, offset_deg, e_min_tev, e_max_tev):
    """True if two of the points (ON first) are closer than twice a RAD_MAX value of the
    table's energy bins that overlap [e_min, e_max], read at ``offset_deg``."""
    i, j = np.array(list(combinations(range(len(ra)), 2))).T
    separations = kernels.angular_separation(ra[i], dec[i], ra[j], dec[j])
    radius = np.asarray(u.Quantity(rad_max.evaluate(offset=u.Quantity(offset_deg, u.deg))).to_value(u.deg))
    axis = rad_max.axes["energy"]
    e_lo, e_hi = axis.edges_min.to_value("TeV"), axis.edges_max.to_value("TeV")
    keep = (e_hi >= e_min_tev) & (e_lo <= e_max_tev)
    radius = np.reshape(radius, (axis.nbin, -1))[keep]
    return bool(np.any(separations[None, :] < 2 * radius.reshape(-1, 1)))


def _find_off(finder, region, center, exclusion_mask):
    """(pixel result or None, sky regions, wcs); core finders also give their pixel shapes."""
    if hasattr(finder, "run_pixels"):
        result = finder.run_pixels(region, center, exclusion_mask)
        return result, result.regions, result.wcs
    regions, wcs = finder.run(region=region, center=center, exclusion_mask=exclusion_mask)
    return None, list(regions), wcs


def _point_filter(geom, regions_off, events, rad_max):
    ra, dec = point_centres_radec(geom.region)
    off_ra = np.array([float(r.center.icrs.ra.deg) for r in regions_off])
    off_dec = np.array([float(r.center.icrs.dec.deg) for r in regions_off])
    p = events.pointing_radec.icrs
    offset = float(kernels.angular_separation(ra[0], dec[0], float(p.ra.deg), float(p.dec.deg)))
    e_min, e_max = (float(v.to_value("TeV")) for v in geom.axes["energy"].bounds)
    if regions_overlap_rad_max(np.r_[ra[:1], off_ra], np.r_[dec[:1], off_dec], rad_max, offset, e_min, e_max):
        log.warning("Found overlapping on/off regions, choose less off regions")
        return []
    return regions_off


def make_counts_off(finder, exclusion_mask, dataset, observation):
    """(counts_off map or None, acceptance_off map) of ``dataset``'s ON region."""
    from gammabin.maps import Map, RegionGeom

    geom = dataset.counts.geom
    energy_axis = geom.axes["energy"]
    events = observation.events
    rad_max = observation.rad_max
    if rad_max is not None:
        check_rad_max_region(rad_max, geom)
    center = observation.get_pointing_icrs(observation.tmid)
    pixels, regions_off, wcs = _find_off(finder, geom.region, center, exclusion_mask)
    is_point = geom.is_all_point_sky_regions
    if is_point and regions_off:
        regions_off = _point_filter(geom, regions_off, events, rad_max)
    if not regions_off:
        log.warning("ReflectedRegionsBackgroundMaker failed. No OFF region found outside exclusion mask "
                    f"for dataset '{dataset.name}'.")
        return None, Map.from_geom(geom, data=np.zeros(geom.data_shape, dtype=np.int64))
    geom_off = RegionGeom.from_regions(regions_off, axes=[energy_axis], wcs=wcs)
    if is_point:
        counts_off = make_counts_off_rad_max(geom_off, rad_max, events)
    elif pixels is not None:
        values = off_counts_values(events, pixels, energy_axis)
        counts_off = Map.from_geom(geom_off, data=values.astype(np.float32).reshape(geom_off.data_shape), unit="")
    else:  # third-party finder: sky regions only
        counts_off = Map.from_geom(geom_off, dtype="float32")
        counts_off.fill_events(events)
    acceptance_off = Map.from_geom(geom_off, data=np.full(geom_off.data_shape, len(regions_off), dtype=np.int64))
    return counts_off, acceptance_off


def make_reflected_onoff(finder, exclusion_mask, dataset, observation):
    """``SpectrumDatasetOnOff`` of ``dataset`` with OFF counts from ``finder``'s regions."""
    from gammabin.datasets import SpectrumDatasetOnOff
    from gammabin.maps import Map

    counts_off, acceptance_off = make_counts_off(finder, exclusion_mask, dataset, observation)
    geom = dataset.counts.geom
    acceptance = Map.from_geom(geom, data=np.ones(geom.data_shape, dtype=np.int64))
    onoff = SpectrumDatasetOnOff.from_spectrum_dataset(
        dataset=dataset, acceptance=acceptance, acceptance_off=acceptance_off, counts_off=counts_off,
        name=dataset.name)
    if onoff.counts_off is None:
        if onoff.mask_safe is not None:
            onoff.mask_safe.data[...] = False
        log.warning(f"ReflectedRegionsBackgroundMaker failed. Setting {onoff.name} mask to False.")
    return onoff
