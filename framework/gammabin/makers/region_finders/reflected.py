"""``ReflectedRegionsFinder``: OFF regions at the ON region's offset, stepped in
rotation angle by the ON region's angular size as seen from the pointing, skipping
positions that touch excluded pixels (background-makers.md §2.2)."""
import attrs
import numpy as np

from ..parameters import number_field, quantity_field
from .base import RegionsFinder, binsz_field

__all__ = ["ReflectedRegionsFinder", "angular_size"]


def angular_size(plane):
    """Angle (rad) the ON region's pixel centres span seen from the pointing pixel;
    ValueError when no pixel centre lies inside the ON region."""
    px, py = plane.on.centres_inside(plane.shape)
    if px.size == 0:
        raise ValueError("The ON region contains no pixel centre of the finder's reference grid: "
                         "use a larger region or a smaller binsz")
    angles = np.arctan2(plane.xc - px, plane.yc - py)
    size = angles.max() - angles.min()
    if size > np.pi:  # straddles the ±pi branch cut: measure in [-2pi, 0)
        angles = np.where(angles >= 0, angles - 2 * np.pi, angles)
        size = angles.max() - angles.min()
    return float(size)


def _positive(instance, attribute, value):
    if float(value.to_value("rad")) <= 0:
        raise ValueError("angle_increment is too small: it must be > 0")


@attrs.define
class ReflectedRegionsFinder(RegionsFinder):
    """Reflected OFF regions about the pointing (the ON region must not be a point)."""

    tag = "ReflectedRegionsFinder"

    angle_increment: object = attrs.field(
        default="0.1 rad", converter=quantity_field("0.1 rad", "rad").converter, validator=_positive,
        metadata={"unit": "rad", "kind": "quantity", "doc": "rotation step after a position hits the exclusion"})
    min_distance: object = quantity_field("0 rad", "rad", doc="extra rotation between consecutive OFF regions")
    min_distance_input: object = quantity_field("0.1 rad", "rad", doc="extra rotation between the ON and the first OFF region")
    max_region_number: int = number_field(10000, type=int, min=1, doc="maximum number of OFF regions")
    binsz: object = binsz_field()

    def find(self, plane, exclusion_mask=None):
        if plane.on.kind == "point":
            raise TypeError("ReflectedRegionsFinder does not work with PointSkyRegion. Use WobbleRegionsFinder instead.")
        ex_x, ex_y = plane.excluded_pixels(exclusion_mask)
        angle_min = angular_size(plane) + float(self.min_distance.to_value("rad"))
        min_input = float(self.min_distance_input.to_value("rad"))
        angle_max = 2 * np.pi - angle_min - min_input
        increment = float(self.angle_increment.to_value("rad"))
        shapes = []
        angle = angle_min + min_input
        while angle < angle_max:
            candidate = plane.on.rotate(plane.xc, plane.yc, angle)
            if ex_x.size and np.any(candidate.contains(ex_x, ex_y)):
                angle += increment
                continue
            shapes.append(candidate)
            if len(shapes) >= self.max_region_number:
                break
            angle += angle_min
        return shapes
