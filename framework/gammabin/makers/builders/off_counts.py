"""OFF counts of reflected regions (background-makers.md §3.2 step 5): events in the
union of the OFF regions, tested in the finder's TAN pixel plane.

All events are projected once (only those near the ring of the OFF regions) and
tested against every OFF circle at once."""
import numpy as np

from gammabin import kernels

from .counts import energy_bin_indices, energy_histogram, event_positions

__all__ = ["off_counts_values"]


def off_counts_values(events, finder_result, axis):
    """Counts per bin of ``axis`` of the events inside any OFF shape of ``finder_result``
    (a :class:`~gammabin.makers.region_finders.FinderResult`)."""
    plane, shapes = finder_result.plane, finder_result.shapes
    lon, lat = event_positions(events, plane.frame)
    # pre-select events on the ring of the OFF regions, with a generous margin
    lon0, lat0 = plane.wcs.wcs_pix2world([plane.xc], [plane.yc], 0)
    scale = abs(float(plane.wcs.wcs.cdelt[1]))
    dist = np.hypot(plane.on.x - plane.xc, plane.on.y - plane.yc) * scale
    reach = (plane.on.extent + 2.0) * scale * 1.05 + 0.01
    offset = kernels.angular_separation(float(lon0[0]), float(lat0[0]), lon, lat)
    near = np.abs(offset - dist * 1.0) <= reach + 0.02 * dist
    x, y = plane.wcs.wcs_world2pix(lon[near], lat[near], 0)
    inside = np.zeros(x.shape, dtype=bool)
    circles = [s for s in shapes if s.kind == "circle"]
    if circles:
        cx = np.array([s.x for s in circles])
        cy = np.array([s.y for s in circles])
        r = np.array([s.radius for s in circles])
        inside |= np.any(np.hypot(x[:, None] - cx, y[:, None] - cy) < r, axis=1)
    for shape in shapes:
        if shape.kind != "circle":
            inside |= shape.contains(x, y)
    selected = np.zeros(lon.shape, dtype=bool)
    selected[near] = inside
    return energy_histogram(energy_bin_indices(events, axis), selected, axis.nbin)
