"""Read a reduction config (gammabin's own, or a gammapy ``AnalysisConfig``) from YAML
and validate it with cattrs; every problem becomes a one-line :class:`ConfigError`
naming the file, the key path and what was expected."""
import os
import types
import typing
from pathlib import Path

import attrs
import cattrs
from astropy import units as u
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from ..errors import GammabinError
from .schema import AngleDeg, EnergyTeV, FieldValueError, ReductionConfig

__all__ = ["ConfigError", "load_config", "config_from_dict", "converter", "is_gammapy_config"]


class ConfigError(GammabinError, ValueError):
    """A configuration that cannot be used; the message is one line with the key path."""


def _quantity_hook(unit, cls, example):
    def structure(value, _type):
        if isinstance(value, bool):
            raise ValueError(f"expected {example}, got {value!r}")
        if isinstance(value, (int, float)):
            return cls(value)
        if isinstance(value, str):
            try:
                quantity = u.Quantity(value)
            except (TypeError, ValueError):
                raise ValueError(f"expected {example}, got {value!r}") from None
            if quantity.unit == u.dimensionless_unscaled:
                return cls(quantity.value)
            if not quantity.unit.is_equivalent(unit):
                raise ValueError(f"expected {example}, got {value!r} (unit {quantity.unit} is not {unit.physical_type})")
            return cls(quantity.to_value(unit))
        raise ValueError(f"expected {example}, got {value!r}")
    return structure


def _strict(kind):
    def structure(value, _type):
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            name = {str: "a string", int: "an integer", bool: "a boolean (true/false)", dict: "a mapping",
                    list: "a list"}.get(kind, kind.__name__)
            raise ValueError(f"expected {name}, got {value!r}")
        return value
    return structure


def _width(value, _type):
    values = value if isinstance(value, (list, tuple)) else [value]
    if not 1 <= len(values) <= 2:
        raise ValueError(f"expected one angle or [width, height], got {value!r}")
    return [_ANGLE(v, AngleDeg) for v in values]


def _is_str_or_list(type_):
    return typing.get_origin(type_) in (typing.Union, types.UnionType) and \
        set(typing.get_args(type_)) <= {str, list[str], type(None)} and list[str] in typing.get_args(type_)


def _str_or_list(value, type_):
    if value is None and type(None) in typing.get_args(type_):
        return None
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValueError(f"expected a string or a list of strings, got {value!r}")
    return value


_ANGLE = _quantity_hook(u.deg, AngleDeg, "an angle such as '0.5 deg'")
_ENERGY = _quantity_hook(u.TeV, EnergyTeV, "an energy such as '1 TeV'")


def converter():
    """The cattrs converter of gammabin configs: unknown keys are errors, units parsed."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(AngleDeg, _ANGLE)
    conv.register_structure_hook(EnergyTeV, _ENERGY)
    conv.register_structure_hook_func(lambda t: t == list[AngleDeg], _width)
    conv.register_structure_hook(int, _strict(int))
    conv.register_structure_hook(bool, _strict(bool))
    conv.register_structure_hook(str, _strict(str))
    conv.register_structure_hook_func(_is_str_or_list, _str_or_list)
    conv.register_structure_hook(dict, _strict(dict))
    return conv


def _describe(exc, type_):
    if isinstance(exc, ForbiddenExtraKeysError):
        valid = [f.name for f in attrs.fields(exc.cl) if f.init] if attrs.has(exc.cl) else []
        extra = ", ".join(sorted(exc.extra_fields))
        return f"unknown key(s) {extra}; expected one of {valid}"
    if isinstance(exc, FieldValueError):
        return f"{exc.field}\x00{exc}"
    if isinstance(exc, KeyError):
        return "required key missing"
    if isinstance(exc, (ValueError, TypeError)) and str(exc):
        text = str(exc)
        if text.startswith(("expected", "'<'", "'>'")) or "expected" in text:
            return text
        name = getattr(type_, "__name__", str(type_))
        return f"expected {name}: {text}"
    return f"invalid value ({type(exc).__name__}: {exc})"


def _one_line(exc, source, prefix="$"):
    """The first problem of a cattrs error group, as ``source: key.path: what``."""
    messages = cattrs.transform_error(exc, path=prefix, format_exception=_describe)
    first = messages[0] if messages else str(exc)
    text, _, path = first.rpartition(" @ ")
    if not text:
        text, path = first, prefix
    path = path.removeprefix("$").lstrip(".")
    if "\x00" in text:  # a validator's error: the field is below the reported class
        field, text = text.split("\x00", 1)
        path = f"{path}.{field}" if path else field
    path = path or "(top level)"
    more = f" (and {len(messages) - 1} more problem(s))" if len(messages) > 1 else ""
    return f"{source}: {path}: {text}{more}"


def is_gammapy_config(data):
    """A gammapy ``AnalysisConfig``: its sections, and ``datasets`` (plural) not ``dataset``."""
    return isinstance(data, dict) and "datasets" in data and "dataset" not in data


def config_from_dict(data, source="<config>", base_dir="."):
    """A validated :class:`ReductionConfig` from a mapping (gammabin or gammapy layout)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: (top level): expected a mapping of sections, got {type(data).__name__}")
    origin = "gammabin"
    if is_gammapy_config(data):
        from .gammapy_config import translate_gammapy_config

        data, axis_method, cutout_width = translate_gammapy_config(data, source)
        origin = "gammapy"
    conv = converter()
    try:
        config = conv.structure(data, ReductionConfig)
    except (ClassValidationError, IterableValidationError) as exc:
        raise ConfigError(_one_line(exc, source)) from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{source}: (top level): {exc}") from None
    config.base_dir = os.fspath(base_dir)
    config.origin = origin
    if origin == "gammapy":
        config.axis_method = axis_method
        config.execution.cutout_width = cutout_width
    _check_consistency(config, source)
    return config


def _check_consistency(config, source):
    d = config.dataset
    if config.makers is None:
        if d.type == "map" and d.geom is None:
            raise ConfigError(f"{source}: dataset.geom: required key missing for a map dataset")
        if d.type == "spectrum" and d.on_region is None:
            raise ConfigError(f"{source}: dataset.on_region: required key missing for a spectrum dataset")
        if d.type == "spectrum" and config.background.method in ("fov", "ring", "adaptive-ring"):
            raise ConfigError(f"{source}: background.method: {config.background.method!r} needs a map dataset; "
                              "expected one of ['none', 'reflected', 'wobble', 'phase'] for spectra")
        if d.type == "map" and config.background.method in ("reflected", "wobble"):
            raise ConfigError(f"{source}: background.method: {config.background.method!r} needs a spectrum dataset; "
                              "expected one of ['none', 'fov', 'ring', 'adaptive-ring', 'phase'] for maps")
    elif d.type == "map" and d.geom is None:
        raise ConfigError(f"{source}: dataset.geom: required key missing for a map dataset")
    if d.energy.max <= d.energy.min:
        raise ConfigError(f"{source}: dataset.energy.max: expected an energy above min ({d.energy.min} TeV)")


def load_config(path):
    """Read and validate a YAML config file (relative paths resolve from its folder)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    return config_from_dict(data, source=str(path), base_dir=path.parent)
