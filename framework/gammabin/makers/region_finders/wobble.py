"""``WobbleRegionsFinder``: ``n_off_regions`` OFF regions equally spaced in rotation
angle about the pointing (background-makers.md §2.3)."""
import logging
from itertools import combinations

import attrs
import numpy as np

from ..parameters import number_field
from .base import RegionsFinder, binsz_field

__all__ = ["WobbleRegionsFinder"]

log = logging.getLogger(__name__)


def _touches_exclusion(candidate, ex_x, ex_y):
    if ex_x.size == 0:
        return False
    if candidate.kind == "point":  # a point is "in" an excluded pixel within one pixel
        return bool(np.any(np.hypot(ex_x - candidate.x, ex_y - candidate.y) < 1))
    return bool(np.any(candidate.contains(ex_x, ex_y)))


def _overlapping(shapes, grid_shape):
    """True if two shapes share a pixel centre of the grid."""
    ny, nx = grid_shape
    cells = []
    for shape in shapes:
        px, py = shape.centres_inside(grid_shape)
        cells.append(set((py * nx + px).astype(np.int64).tolist()))
    return any(a & b for a, b in combinations(cells, 2))


_N_OFF = number_field(None, type=int, min=1, doc="number of OFF regions (required)")


@attrs.define
class WobbleRegionsFinder(RegionsFinder):
    """OFF regions at ``i * 2π / (n_off_regions + 1)``, i = 1..n, from the ON region."""

    tag = "WobbleRegionsFinder"

    n_off_regions: int = attrs.field(converter=_N_OFF.converter, metadata=_N_OFF.metadata)
    binsz: object = binsz_field()

    def find(self, plane, exclusion_mask=None):
        ex_x, ex_y = plane.excluded_pixels(exclusion_mask, margin=3.0)
        step = 2 * np.pi / (self.n_off_regions + 1)
        shapes = []
        for i in range(1, self.n_off_regions + 1):
            candidate = plane.on.rotate(plane.xc, plane.yc, i * step)
            if exclusion_mask is not None and _touches_exclusion(candidate, ex_x, ex_y):
                continue
            shapes.append(candidate)
        # points are checked for overlap later, with RAD_MAX (background-makers.md §3.3)
        if plane.on.kind != "point" and _overlapping(shapes, plane.shape):
            log.warning("Found overlapping off regions, returning no regions")
            return []
        return shapes
