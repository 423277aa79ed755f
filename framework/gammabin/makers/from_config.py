"""Build any registered maker from a plain mapping, through its attrs fields.

``{"tag": "SafeMaskMaker", "methods": ["offset-max"], "offset_max": "3 deg"}``
becomes ``SafeMaskMaker(methods=["offset-max"], offset_max=<Angle 3 deg>)``: the
field converters do the unit work, so no maker needs code of its own here.
"""
import attrs

from ..errors import MakerParameterError
from .registry import MAKER_REGISTRY

__all__ = ["maker_from_dict", "makers_from_list", "maker_schema"]


def maker_from_dict(config, registry=MAKER_REGISTRY, defaults=None):
    """Instantiate the maker named by ``config["tag"]`` with the other keys as parameters.

    ``defaults`` (e.g. from a plugin's ``gammabin_maker_defaults``) are applied
    first and overridden by ``config``.
    """
    if not isinstance(config, dict) or "tag" not in config:
        raise MakerParameterError(f"a maker configuration needs a 'tag' key, got {config!r}")
    params = dict(config)
    tag = params.pop("tag")
    cls = registry.get_cls(tag)
    if not attrs.has(cls):
        raise MakerParameterError(
            f"maker {tag!r} ({cls.__module__}.{cls.__qualname__}) is not an attrs class and "
            "cannot be built from configuration"
        )
    fields = {f.name: f for f in attrs.fields(cls) if f.init}
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise MakerParameterError(
            f"{cls.__name__}: unknown parameter(s) {', '.join(unknown)}; "
            f"valid parameters: {', '.join(fields)}"
        )
    merged = {**(defaults or {}), **params}
    merged = {k: v for k, v in merged.items() if k in fields}
    try:
        return cls(**merged)
    except MakerParameterError:
        raise
    except (TypeError, ValueError) as exc:
        raise MakerParameterError(f"{cls.__name__}: {exc}") from exc


def makers_from_list(configs, registry=MAKER_REGISTRY):
    """A list of makers from a list of mappings; errors say which entry failed."""
    makers = []
    for index, config in enumerate(configs):
        try:
            makers.append(maker_from_dict(config, registry=registry))
        except MakerParameterError as exc:
            raise MakerParameterError(f"makers[{index}]: {exc}") from exc
    return makers


def maker_schema(cls):
    """The parameter schema of a maker class: name, default, unit, choices, doc per field."""
    schema = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        default = field.default
        if isinstance(default, attrs.Factory):
            default = default.factory()
        entry = {"name": field.name, "default": default}
        entry.update({k: v for k, v in field.metadata.items() if v not in (None, "")})
        schema.append(entry)
    return schema
