"""attrs building blocks for maker parameters: converters that turn strings and
numbers into Quantities/Angles of the right unit, and validators with errors that
name the maker, the field and what was expected.

The unit (and the allowed choices) live in the field's ``metadata`` so that
``attrs.fields`` is the complete, machine-readable parameter schema."""
import attrs

from ..errors import MakerParameterError

__all__ = ["quantity_field", "choices_field", "bool_field", "number_field", "map_field", "parameter_error"]


def parameter_error(instance_or_cls, field, expected, value):
    cls = instance_or_cls if isinstance(instance_or_cls, type) else type(instance_or_cls)
    return MakerParameterError(
        f"{cls.__name__}.{field.name}: expected {expected}, got {value!r}"
    )


def _to_quantity(value, self_, field):
    import astropy.units as u

    unit = u.Unit(field.metadata["unit"])
    if value is None:
        if field.metadata.get("optional"):
            return None
        raise parameter_error(self_, field, f"a quantity in {unit}", value)
    try:
        quantity = u.Quantity(value)
        if quantity.unit == u.dimensionless_unscaled and unit != u.dimensionless_unscaled:
            quantity = quantity * unit  # a bare number means "in the field's unit"
        quantity = quantity.to(unit)
    except (TypeError, ValueError, u.UnitsError) as exc:
        raise parameter_error(self_, field, f"a quantity convertible to {unit}", value) from exc
    if not quantity.isscalar and field.metadata.get("scalar", True):
        raise parameter_error(self_, field, f"a scalar quantity in {unit}", value)
    if unit.physical_type == "angle":
        from astropy.coordinates import Angle

        return Angle(quantity)
    return quantity


_QUANTITY = attrs.Converter(_to_quantity, takes_self=True, takes_field=True)


def quantity_field(default, unit, optional=False, doc=""):
    """A field holding a Quantity in ``unit`` (an Angle for angular units)."""
    return attrs.field(
        default=default,
        converter=_QUANTITY,
        metadata={"unit": str(unit), "optional": optional, "doc": doc, "kind": "quantity"},
    )


def _to_choices(value, self_, field):
    allowed = field.metadata["choices"]
    many = field.metadata["many"]
    if many:
        items = [value] if isinstance(value, str) else list(value or [])
    else:
        items = [value]
    bad = [item for item in items if item not in allowed]
    if bad:
        what = "a list of" if many else "one of"
        raise parameter_error(self_, field, f"{what} {sorted(allowed)}", value)
    return items if many else items[0]


_CHOICES = attrs.Converter(_to_choices, takes_self=True, takes_field=True)


def choices_field(default, choices, many=True, doc=""):
    """A field holding one value (``many=False``) or a list of values from ``choices``."""
    factory = (lambda: list(default)) if many else None
    kwargs = {"factory": factory} if many else {"default": default}
    return attrs.field(
        converter=_CHOICES,
        metadata={"choices": tuple(choices), "many": many, "doc": doc, "kind": "choices"},
        **kwargs,
    )


def _to_bool(value, self_, field):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "yes", "no", "1", "0"}:
        return value.strip().lower() in {"true", "yes", "1"}
    raise parameter_error(self_, field, "a boolean", value)


_BOOL = attrs.Converter(_to_bool, takes_self=True, takes_field=True)


def bool_field(default, doc=""):
    return attrs.field(default=default, converter=_BOOL, metadata={"doc": doc, "kind": "bool"})


def _to_number(value, self_, field):
    kind = field.metadata["type"]
    if value is None and field.metadata.get("optional"):
        return None
    try:
        if isinstance(value, bool):
            raise TypeError
        number = kind(value)
    except (TypeError, ValueError) as exc:
        raise parameter_error(self_, field, f"a {kind.__name__}", value) from exc
    low = field.metadata.get("min")
    if low is not None and number < low:
        raise parameter_error(self_, field, f"a {kind.__name__} >= {low}", value)
    return number


_NUMBER = attrs.Converter(_to_number, takes_self=True, takes_field=True)


def number_field(default, type=float, min=None, optional=False, doc=""):
    return attrs.field(
        default=default,
        converter=_NUMBER,
        metadata={"type": type, "min": min, "optional": optional, "doc": doc, "kind": "number"},
    )


def map_field(doc="boolean sky map, True = usable, False = excluded"):
    """A map parameter (default None, no conversion), e.g. an exclusion mask."""
    return attrs.field(default=None, metadata={"kind": "map", "doc": doc})
