"""``unit`` / ``quantity`` over a plain ``data`` array, shared by maps and IRFs: the
array stays a bare ndarray (hot paths), the Quantity is a view made on request."""
from astropy import units as u

__all__ = ["QuantityDataMixin"]


class QuantityDataMixin:
    """Needs ``self._data``, ``self._unit`` and a ``data`` setter."""

    @property
    def unit(self):
        return self._unit

    @property
    def quantity(self):
        return u.Quantity(self._data, self._unit, copy=None)

    @quantity.setter
    def quantity(self, value):
        value = u.Quantity(value)
        self._unit = value.unit
        self.data = value.value
