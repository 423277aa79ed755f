"""Build registered makers from plain mappings or YAML, through their attrs fields.

A reduction is an ordered list of makers::

    - tag: MapDatasetMaker
    - tag: SafeMaskMaker
      methods: [aeff-default, offset-max]
      offset_max: 3 deg
    - tag: ReflectedRegionsBackgroundMaker
      region_finder: {tag: WobbleRegionsFinder, n_off_regions: 3}

Each entry names a maker by ``tag`` (looked up in ``MAKER_REGISTRY``); the other
keys are its attrs fields, whose converters do the unit work, so no maker needs
code of its own here.  A value that is itself a mapping with a ``tag`` is built
as a nested object (today: region finders, from ``gammabin_register_region_finders``).

Parameters are layered: the plugins' ``gammabin_maker_defaults(tag, telescope)``
answer first, then the user's values on top.
"""
import logging
import os

import attrs

from ..errors import MakerParameterError, UnknownTagError
from .registry import MAKER_REGISTRY, MakerRegistry

__all__ = [
    "maker_from_dict",
    "makers_from_list",
    "makers_from_yaml",
    "maker_schema",
    "maker_defaults",
    "REGION_FINDER_REGISTRY",
]

log = logging.getLogger(__name__)


def _region_finder_base():
    # Seam: the core's RegionsFinder base (gammabin.makers.region_finders) is written
    # separately; until it exists any class with a ``tag`` is accepted.
    try:
        from .region_finders import RegionsFinder
    except ImportError:
        return object
    return RegionsFinder


class _LazyRegistry:
    """A MakerRegistry created on first use, so the base class is looked up late."""

    def __init__(self, factory):
        self._factory = factory
        self._registry = None

    def _get(self):
        if self._registry is None:
            self._registry = self._factory()
        return self._registry

    def __getattr__(self, name):
        return getattr(self._get(), name)

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())

    def __contains__(self, item):
        return item in self._get()

    def __repr__(self):
        return repr(self._get()).replace("MakerRegistry", "RegionFinderRegistry")


class RegionFinderRegistry(MakerRegistry):
    """Region finders by tag: the plugins' (``gammabin_register_region_finders``),
    plus the core's own reflected and wobble finders if no plugin registers them."""

    def __init__(self):
        super().__init__(hook_name="gammabin_register_region_finders", base=_region_finder_base(),
                         builtin_names={})

    def _collect(self):
        from .registry import MakerEntry

        core = []
        try:
            from .region_finders import ReflectedRegionsFinder, WobbleRegionsFinder
        except ImportError:
            pass
        else:
            core = [MakerEntry(cls, "gammabin.core", "gammabin", None)
                    for cls in (ReflectedRegionsFinder, WobbleRegionsFinder)]
        # the plugins' entries first (so listings credit them); the core's as a fallback
        found = super()._collect()
        return found + [c for c in core if all(e.cls is not c.cls for e in found)]


#: Region finders by tag (``ReflectedRegionsFinder``, ``WobbleRegionsFinder`` and
#: those of plugins).
REGION_FINDER_REGISTRY = _LazyRegistry(RegionFinderRegistry)

#: Registries consulted, in order, for a nested ``{tag: ...}`` value.
NESTED_REGISTRIES = {"region finder": REGION_FINDER_REGISTRY}


def maker_defaults(tag, telescope=None):
    """The plugins' defaults for maker ``tag`` and ``telescope`` (first answer wins), or ``{}``."""
    from .. import plugins

    answer = plugins.get_plugin_manager().hook.gammabin_maker_defaults(tag=tag, telescope=telescope)
    if answer is None:
        return {}
    if not isinstance(answer, dict):
        raise MakerParameterError(
            f"gammabin_maker_defaults for {tag!r} (telescope {telescope!r}) returned "
            f"{type(answer).__name__}, expected a dict or None"
        )
    return dict(answer)


def _type_name(field):
    meta = field.metadata
    if "unit" in meta:
        return f"a quantity in {meta['unit']}"
    if "choices" in meta:
        return f"{'a list of' if meta.get('many') else 'one of'} {list(meta['choices'])}"
    if "type" in meta:
        return f"a {meta['type'].__name__}"
    if field.type is not None:
        return f"a {getattr(field.type, '__name__', field.type)}"
    return "a valid value"


def _build_nested(owner, field, config):
    params = dict(config)
    tag = params.pop("tag")
    where = f"{owner}.{field}"
    last_error = None
    for what, registry in NESTED_REGISTRIES.items():
        try:
            cls = registry.get_cls(tag)
        except UnknownTagError as exc:
            last_error = exc
            continue
        try:
            if "__attrs_attrs__" in vars(cls):  # its own attrs class, not only an attrs base
                return _instantiate(cls, params, where=f"{where} ({tag})")
            return cls(**params)
        except MakerParameterError:
            raise
        except (TypeError, ValueError) as exc:
            raise MakerParameterError(f"{where}: cannot build {what} {tag!r} from {params!r}: {exc}") from exc
    raise MakerParameterError(f"{where}: unknown tag {tag!r} for a nested object: {last_error}")


def _instantiate(cls, params, where=None):
    where = where or cls.__name__
    fields = {f.name: f for f in attrs.fields(cls) if f.init}
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise MakerParameterError(
            f"{where}: unknown parameter(s) {', '.join(unknown)}; valid parameters: {', '.join(fields)}"
        )
    values = {}
    for name, value in params.items():
        if isinstance(value, dict) and "tag" in value:
            value = _build_nested(cls.__name__, name, value)
        values[name] = value
    try:
        return cls(**values)
    except MakerParameterError:
        raise
    except (TypeError, ValueError) as exc:
        # a field without a gammabin converter: name the first field whose value is suspect
        text = str(exc)
        named = [n for n in values if n in text] or list(values)
        if named:
            field = fields[named[0]]
            raise MakerParameterError(
                f"{where}.{field.name}: expected {_type_name(field)}, got {values[field.name]!r} ({text})"
            ) from exc
        raise MakerParameterError(f"{where}: {text}") from exc


def maker_from_dict(config, registry=MAKER_REGISTRY, defaults=None, telescope=None):
    """Instantiate the maker named by ``config["tag"]`` with the other keys as parameters.

    ``defaults`` are applied first and overridden by ``config``; when ``defaults`` is
    ``None`` they come from the plugins' ``gammabin_maker_defaults(tag, telescope)``.

    Raises
    ------
    UnknownTagError
        for an unknown tag (the message lists the known tags).
    MakerParameterError
        for an unknown or bad parameter, naming maker, field and what was expected.
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
    if defaults is None and registry is MAKER_REGISTRY:
        defaults = maker_defaults(tag, telescope)
    fields = {f.name for f in attrs.fields(cls) if f.init}
    ignored = sorted(set(defaults or {}) - fields)
    if ignored:  # a plugin's defaults for a field this maker version lacks: not the user's fault
        log.warning("defaults for %s ignored (no such parameter): %s", cls.__name__, ", ".join(ignored))
    unknown = sorted(set(params) - fields)
    if unknown:
        raise MakerParameterError(
            f"{cls.__name__}: unknown parameter(s) {', '.join(unknown)}; "
            f"valid parameters: {', '.join(f.name for f in attrs.fields(cls) if f.init)}"
        )
    merged = {k: v for k, v in (defaults or {}).items() if k in fields}
    merged.update(params)
    return _instantiate(cls, merged)


def makers_from_list(configs, registry=MAKER_REGISTRY, telescope=None):
    """Makers from an ordered list of mappings; errors say which entry failed."""
    if isinstance(configs, dict) and "makers" in configs:
        configs = configs["makers"]
    if not isinstance(configs, (list, tuple)):
        raise MakerParameterError(f"a reduction is a list of makers, got {type(configs).__name__}")
    makers = []
    for index, config in enumerate(configs):
        try:
            makers.append(maker_from_dict(config, registry=registry, telescope=telescope))
        except MakerParameterError as exc:
            raise MakerParameterError(f"makers[{index}]: {exc}") from exc
        except UnknownTagError as exc:
            raise UnknownTagError(f"makers[{index}]: {exc.args[0] if exc.args else exc}") from exc
    return makers


def makers_from_yaml(source, registry=MAKER_REGISTRY, telescope=None):
    """Makers from YAML text or a YAML file: a list of makers, or a mapping with ``makers:``."""
    import yaml

    text = source
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source
                                          and source.endswith((".yaml", ".yml"))):
        with open(source, encoding="utf-8") as handle:
            text = handle.read()
    return makers_from_list(yaml.safe_load(text), registry=registry, telescope=telescope)


def maker_schema(cls):
    """The parameter schema of a maker class: name, default, type, unit, choices, doc per field."""
    schema = []
    for field in attrs.fields(cls):
        if not field.init:
            continue
        default = field.default
        if isinstance(default, attrs.Factory):
            default = default.factory()
        entry = {"name": field.name, "default": default, "expected": _type_name(field)}
        entry.update({k: v for k, v in field.metadata.items() if v not in (None, "")})
        schema.append(entry)
    return schema
