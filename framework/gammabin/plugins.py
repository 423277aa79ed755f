"""The plugin manager: loads the ``gammabin`` entry points once per process.

Nothing here runs at ``import gammabin``.  The first call of
:func:`get_plugin_manager` (made by ``MAKER_REGISTRY``, the CLI or a pipeline)
reads the entry points, skips blocked names *before* importing them, imports and
registers each plugin on its own so that a broken one is reported and skipped
without taking the others down, and keeps a :class:`PluginRecord` per plugin for
``gammabin plugins``.

Environment (read when the manager is created):

``GAMMABIN_DISABLE_PLUGINS=a,b``
    entry-point or distribution names never imported (built-ins included).
``GAMMABIN_PLUGIN_AUTOLOAD=0|false|no|off``
    load only gammabin's own plugins (plus ``GAMMABIN_PLUGINS``).
``GAMMABIN_PLUGINS=a,b``
    third-party plugins loaded even when autoload is off.
``GAMMABIN_STRICT_PLUGINS=1``
    a plugin that fails to load raises instead of being skipped.
``GAMMABIN_TRACE_PLUGINS=1``
    log every hook call (pluggy tracing) at DEBUG level.
"""
import importlib.metadata
import logging
import os
import threading
import types

import attrs
import pluggy

from . import hookspecs
from .errors import PluginError

__all__ = [
    "PluginRecord",
    "get_plugin_manager",
    "plugin_records",
    "register",
    "unregister",
    "reset",
    "add_reset_callback",
    "DISTRIBUTION",
]

log = logging.getLogger(__name__)

#: Our own distribution: its entry points are the built-in plugins.
DISTRIBUTION = "gammabin"
ENTRY_POINT_GROUP = "gammabin"
_FALSE = {"0", "false", "no", "off"}
_TRUE = {"1", "true", "yes", "on"}

_lock = threading.RLock()
_manager = None
_records = {}
_loading = None  # name of the plugin being imported, to catch re-entrant use
_reset_callbacks = []


@attrs.frozen
class PluginRecord:
    """What gammabin knows about one plugin, loaded or not."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    builtin: bool = False
    status: str = "active"  # active | blocked | failed | duplicate
    error: str | None = None
    hooks: tuple = ()

    def to_dict(self):
        return attrs.asdict(self)


class _CoreHooks:
    """gammabin's own hook implementations (the fallbacks other plugins wrap)."""

    @staticmethod
    @pluggy.HookimplMarker("gammabin")(trylast=True)
    def gammabin_run_maker(maker, dataset, observation):
        return maker.run(dataset, observation)


def _env_list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _env_flag(name, default):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    value = value.strip().lower()
    if value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise PluginError(f"{name}={os.environ[name]!r}: expected one of 1/true/yes/on or 0/false/no/off")


def _distribution_of(entry_point, known):
    """(name, version) of the entry point's distribution; ``known`` caches them per
    distribution object (each lookup parses its METADATA file again)."""
    dist = getattr(entry_point, "dist", None)
    if dist is None:
        return None, None
    if id(dist) not in known:
        metadata = dist.metadata
        known[id(dist)] = (dist, metadata["Name"], metadata["Version"])  # dist kept: id stays valid
    return known[id(dist)][1:]


def _discover():
    """Entry points of our group: deduplicated, ours first, then by (distribution, name)."""
    seen = set()
    found = []
    known = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist, version = _distribution_of(ep, known)
        key = (ep.name, ep.value)
        if key in seen:  # the same distribution seen twice on sys.path (editable + site)
            continue
        seen.add(key)
        found.append((ep, dist, version))
    ours = lambda item: (item[1] or "").lower().replace("_", "-") == DISTRIBUTION
    found.sort(key=lambda item: (not ours(item), (item[1] or "").lower(), item[0].name))
    return found, ours


def _unknown_hooks(module):
    known = {name for name in dir(hookspecs) if name.startswith("gammabin_")}
    return sorted(
        name for name in dir(module) if name.startswith("gammabin_") and name not in known
        and callable(getattr(module, name))
    )


def _check_api(module, name):
    declared = getattr(module, "GAMMABIN_PLUGIN_API", None)
    if declared is None:
        return
    major = declared[0] if isinstance(declared, (tuple, list)) else declared
    if int(major) != hookspecs.PLUGIN_API[0]:
        raise PluginError(
            f"plugin {name!r} was written for gammabin plugin API {major}, this gammabin "
            f"provides API {hookspecs.PLUGIN_API[0]}.{hookspecs.PLUGIN_API[1]}: install a "
            f"version of the plugin made for API {hookspecs.PLUGIN_API[0]}"
        )


def _hook_names(pm, plugin):
    return tuple(sorted(caller.name for caller in (pm.get_hookcallers(plugin) or [])))


def _fail(record_kwargs, exc, strict):
    message = f"{type(exc).__name__}: {exc}"
    record = PluginRecord(status="failed", error=message, **record_kwargs)
    _records[record.name] = record
    dist = f" (distribution {record.distribution} {record.version})" if record.distribution else ""
    log.warning(
        "gammabin plugin %r%s failed to load and was skipped: %s. "
        "Disable it with GAMMABIN_DISABLE_PLUGINS=%s",
        record.name, dist, message, record.name,
    )
    if strict:
        raise PluginError(f"plugin {record.name!r}{dist} failed to load: {message}") from exc


def _load_one(pm, ep, dist, version, builtin, strict):
    global _loading
    record_kwargs = dict(name=ep.name, module=ep.value, distribution=dist, version=version,
                         builtin=builtin)
    _loading = ep.name
    try:
        module = ep.load()
    except Exception as exc:
        _fail(record_kwargs, exc, strict)
        return
    finally:
        _loading = None
    try:
        _check_api(module, ep.name)
        unknown = _unknown_hooks(module)
        if unknown:
            raise PluginError(
                f"plugin {ep.name!r} implements unknown hook(s) {', '.join(unknown)}; "
                f"known hooks: {', '.join(n for n in dir(hookspecs) if n.startswith('gammabin_'))}"
            )
        pm.register(module, name=ep.name)
    except Exception as exc:
        if pm.is_registered(module):
            pm.unregister(module)
        _fail(record_kwargs, exc, strict)
        return
    _records[ep.name] = PluginRecord(hooks=_hook_names(pm, module), **record_kwargs)


def _build():
    pm = pluggy.PluginManager("gammabin")
    pm.add_hookspecs(hookspecs)
    pm.register(_CoreHooks, name="gammabin.core")
    disabled = set(_env_list("GAMMABIN_DISABLE_PLUGINS"))
    autoload = _env_flag("GAMMABIN_PLUGIN_AUTOLOAD", True)
    requested = set(_env_list("GAMMABIN_PLUGINS"))
    strict = _env_flag("GAMMABIN_STRICT_PLUGINS", False)
    if _env_flag("GAMMABIN_TRACE_PLUGINS", False):
        pm.trace.root.setwriter(log.debug)
        pm.enable_tracing()

    found, ours = _discover()
    for ep, dist, version in found:
        builtin = ours((ep, dist, version))
        kwargs = dict(name=ep.name, module=ep.value, distribution=dist, version=version,
                      builtin=builtin)
        if ep.name in _records:  # the same plugin name from a second distribution
            first = _records[ep.name]
            _records[f"{ep.name} ({dist})"] = PluginRecord(
                status="duplicate",
                error=f"entry-point name {ep.name!r} is already used by distribution "
                f"{first.distribution} ({first.module}); this one ({dist}, {ep.value}) was refused",
                **{**kwargs, "name": f"{ep.name} ({dist})"},
            )
            log.warning("gammabin plugin name %r claimed by both %s and %s; the second is ignored",
                        ep.name, first.distribution, dist)
            continue
        if ep.name in disabled or (dist and dist in disabled):
            pm.set_blocked(ep.name)
            _records[ep.name] = PluginRecord(status="blocked", **kwargs)
            continue
        if not builtin and not autoload and ep.name not in requested and dist not in requested:
            _records[ep.name] = PluginRecord(status="blocked", error="GAMMABIN_PLUGIN_AUTOLOAD is off", **kwargs)
            continue
        _load_one(pm, ep, dist, version, builtin, strict)
    return pm


def get_plugin_manager():
    """The process-wide :class:`pluggy.PluginManager`, built on first use."""
    global _manager
    with _lock:
        if _loading is not None:
            raise PluginError(
                f"plugin {_loading!r} uses the gammabin plugin registry while it is being "
                "imported; look makers up lazily (inside functions), not at import time"
            )
        if _manager is None:
            _records.clear()
            _manager = _build()
        return _manager


def plugin_records():
    """One :class:`PluginRecord` per plugin seen, in load order."""
    get_plugin_manager()
    return list(_records.values())


def register(plugin, name=None):
    """Register a plugin object (module, class or instance) at run time, as in a notebook.

    Returns the name it was registered under.  Registries are re-indexed.
    """
    pm = get_plugin_manager()
    if isinstance(plugin, types.ModuleType):
        module_name = plugin.__name__
    else:
        module_name = getattr(plugin, "__module__", repr(plugin))
    name = pm.register(plugin, name=name)
    _records[name] = PluginRecord(name=name, module=module_name, hooks=_hook_names(pm, plugin))
    _invalidate()
    return name


def unregister(name):
    """Remove a plugin registered by name (see :func:`register`)."""
    pm = get_plugin_manager()
    pm.unregister(name=name)
    _records.pop(name, None)
    _invalidate()


def add_reset_callback(callback):
    """Call ``callback()`` whenever the set of plugins changes (registries drop their index)."""
    _reset_callbacks.append(callback)


def _invalidate():
    for callback in _reset_callbacks:
        callback()


def reset():
    """Forget the manager: the next use re-reads entry points and environment (tests)."""
    global _manager
    with _lock:
        _manager = None
        _records.clear()
        _invalidate()
