"""Non-spatial axis handling shared by the sky geometries (``WcsGeom``, ``RegionGeom``).

Every method here only touches ``self._axes`` (a ``MapAxes``) and rebuilds the geometry
through the class's own ``_init_copy(**kwargs)``, so the spatial part stays each class's
business."""

__all__ = ["GeomAxesMixin"]


class GeomAxesMixin:
    """Axis properties and axis-changing copies; needs ``_axes`` and ``_init_copy``."""

    @property
    def axes(self):
        return self._axes

    @property
    def axes_names(self):
        return ["lon", "lat"] + self._axes.names

    @property
    def data_shape_axes(self):
        return self._axes.shape[::-1] + (1, 1)

    @property
    def shape_axes(self):
        return self._axes.shape

    @property
    def ndim(self):
        return len(self.data_shape)

    @property
    def is_image(self):
        return len(self._axes) == 0

    def copy(self, **kwargs):
        return self._init_copy(**kwargs)

    def coord_to_idx(self, coords, clip=False):
        return self.pix_to_idx(self.coord_to_pix(coords), clip=clip)

    def energy_mask(self, energy_min=None, energy_max=None, round_to_edge=False):
        return self.create_mask("energy", energy_min, energy_max, round_to_edge)

    # --- derived geometries: same sky part, other axes ----------------------------------
    def to_image(self):
        return self._init_copy(axes=None)

    def to_cube(self, axes):
        return self._init_copy(axes=list(self._axes) + list(axes))

    def squash(self, axis_name):
        return self._init_copy(axes=self._axes.squash(axis_name))

    def drop(self, axis_name):
        return self._init_copy(axes=self._axes.drop(axis_name))

    def replace_axis(self, axis):
        return self._init_copy(axes=self._axes.replace(axis))

    def resample_axis(self, axis):
        return self._init_copy(axes=self._axes.resample(axis))

    def slice_by_idx(self, slices):
        return self._init_copy(axes=self._axes.slice_by_idx(slices))

    def rename_axes(self, names, new_names):
        return self._init_copy(axes=self._axes.rename_axes(names, new_names))
