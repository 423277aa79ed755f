"""``MAKER_REGISTRY``: every maker class, indexed by tag, filled from the
``gammabin_register_makers`` hook of every loaded plugin (ours included).

A read-only sequence like gammapy's registry list, with ``get_cls(tag)``.  The
index is built on first use (which loads the plugins) and rebuilt when plugins
are registered at run time.
"""
import difflib
import threading
from collections.abc import Sequence

import attrs

from .. import plugins as _plugins
from ..errors import PluginConflictError, UnknownTagError
from .core import Maker

__all__ = ["MakerRegistry", "MAKER_REGISTRY", "BUILTIN_MAKERS"]

#: gammapy's registry order, and the built-in plugin that provides each name, so a
#: disabled built-in is reported as disabled rather than missing.
BUILTIN_MAKERS = {
    "ReflectedRegionsBackgroundMaker": "reflected",
    "AdaptiveRingBackgroundMaker": "adaptive_ring",
    "FoVBackgroundMaker": "fov",
    "PhaseBackgroundMaker": "phase",
    "RingBackgroundMaker": "ring",
    "SpectrumDatasetMaker": "spectrum",
    "MapDatasetMaker": "mapdataset",
    "SafeMaskMaker": "safemask",
    "DatasetsMaker": "datasets",
}


def _tags(cls):
    tag = cls.tag
    return [tag] if isinstance(tag, str) else list(tag)


@attrs.frozen
class MakerEntry:
    """One registered maker class and where it came from."""

    cls: type
    plugin: str
    distribution: str | None
    version: str | None

    @property
    def tags(self):
        return _tags(self.cls)

    @property
    def qualname(self):
        return f"{self.cls.__module__}.{self.cls.__qualname__}"


def _import_reduction_modules():
    """Import gammabin's own reduction modules (builders, safe mask, IRF classes) when
    makers are first looked up, i.e. before a reduction allocates its arrays.  Imported
    on first use, in the middle of the first run, their objects landed among its arrays
    and fragmented the heap (seed chain: peak RSS +16 MB, 5-10 % slower).  Not at
    ``import gammabin.makers``, which stays light (astropy is imported here)."""
    import importlib

    # by name: ``from . import`` would ask the package's __getattr__, i.e. this registry
    for module in ("gammabin.irf.registry", "gammabin.makers.map_builders", "gammabin.makers.safe_mask"):
        importlib.import_module(module)


class MakerRegistry(Sequence):
    """Read-only view of the registered makers (gammapy's ``MAKER_REGISTRY``)."""

    def __init__(self, hook_name="gammabin_register_makers", base=Maker, builtin_names=BUILTIN_MAKERS):
        self._hook_name = hook_name
        self._base = base
        self._builtin_names = builtin_names
        self._entries = None
        self._by_tag = None
        self.problems = []  # plugins whose hook raised or returned bad objects
        self._lock = threading.RLock()
        _plugins.add_reset_callback(self._invalidate)

    # -- building the index ---------------------------------------------------
    def _invalidate(self):
        with self._lock:
            self._entries = None
            self._by_tag = None

    def _collect(self):
        _import_reduction_modules()
        pm = _plugins.get_plugin_manager()
        records = {r.name: r for r in _plugins.plugin_records()}
        hook = getattr(pm.hook, self._hook_name)
        entries, self.problems = [], []
        # one plugin at a time: a faulty plugin is named and skipped
        for impl in reversed(hook.get_hookimpls()):  # pluggy lists LIFO; we want load order
            record = records.get(impl.plugin_name)
            dist = record.distribution if record else None
            version = record.version if record else None
            try:
                returned = impl.function() or ()
                classes = list(returned)
            except Exception as exc:  # noqa: BLE001 - isolation is the point
                self.problems.append((impl.plugin_name, f"{self._hook_name} raised {type(exc).__name__}: {exc}"))
                continue
            for cls in classes:
                problem = self._validate(cls)
                if problem:
                    self.problems.append((impl.plugin_name, problem))
                    continue
                if not any(e.cls is cls for e in entries):
                    entries.append(MakerEntry(cls, impl.plugin_name, dist, version))
        return entries

    def _validate(self, cls):
        if not isinstance(cls, type) or not issubclass(cls, self._base):
            return f"{cls!r} is not a subclass of {self._base.__module__}.{self._base.__name__}"
        if not cls.tag or not all(isinstance(t, str) for t in _tags(cls)):
            return f"{cls.__qualname__} has no string tag"
        return None

    def _ordered(self, entries):
        order = list(self._builtin_names)

        def key(item):
            index, entry = item
            tag = entry.tags[0]
            return (order.index(tag), 0) if tag in order else (len(order), index)

        return [entry for _, entry in sorted(enumerate(entries), key=key)]

    def _index(self):
        with self._lock:
            if self._entries is None:
                entries = self._ordered(self._collect())
                by_tag = {}
                for entry in entries:
                    for tag in entry.tags:
                        by_tag.setdefault(tag, []).append(entry)
                self._entries, self._by_tag = entries, by_tag
            return self._entries, self._by_tag

    # -- gammapy's interface --------------------------------------------------
    def get_cls(self, tag):
        """The class registered under ``tag``.

        Raises
        ------
        UnknownTagError
            (a ``KeyError``) when no plugin provides ``tag``; the message lists
            the known tags, near matches and plugins that failed to load.
        PluginConflictError
            when two plugins claim ``tag``; the message names both.
        """
        _, by_tag = self._index()
        claimants = by_tag.get(tag, [])
        if len(claimants) == 1:
            return claimants[0].cls
        if len(claimants) > 1:
            raise PluginConflictError(self._conflict_message(tag, claimants))
        raise UnknownTagError(self._unknown_message(tag, by_tag))

    def _conflict_message(self, tag, claimants):
        lines = [f"Conflicting plugins found for maker tag {tag!r}:"]
        for entry in claimants:
            dist = f", distribution {entry.distribution} {entry.version}" if entry.distribution else ""
            lines.append(f"  - {entry.qualname} (plugin {entry.plugin!r}{dist})")
        names = ",".join(e.plugin for e in claimants[1:])
        lines.append(f"Disable one of them, e.g. GAMMABIN_DISABLE_PLUGINS={names}")
        return "\n".join(lines)

    def _unknown_message(self, tag, by_tag):
        message = f"No object found with tag: {tag!r}."
        records = {r.name: r for r in _plugins.plugin_records()}
        provider = self._builtin_names.get(tag)
        if provider and provider in records and records[provider].status != "active":
            record = records[provider]
            message += f" It is provided by the built-in plugin {provider!r}, which is {record.status}"
            message += f" ({record.error})." if record.error else " (see GAMMABIN_DISABLE_PLUGINS)."
        close = difflib.get_close_matches(str(tag), list(by_tag), n=3)
        if close:
            message += f" Did you mean {', '.join(map(repr, close))}?"
        message += f" Known tags: {', '.join(sorted(by_tag))}."
        failed = [r.name for r in records.values() if r.status == "failed"]
        if failed:
            message += f" {len(failed)} plugin(s) failed to load: {', '.join(failed)}."
        return message

    def __getitem__(self, index):
        return [e.cls for e in self._index()[0]][index]

    def __len__(self):
        return len(self._index()[0])

    def __iter__(self):
        return iter([e.cls for e in self._index()[0]])

    def __contains__(self, item):
        entries, by_tag = self._index()
        return item in by_tag or any(e.cls is item for e in entries)

    @property
    def tags(self):
        return [e.tags[0] for e in self._index()[0]]

    def entries(self):
        """:class:`MakerEntry` records (class, plugin, distribution, version)."""
        return list(self._index()[0])

    def __str__(self):
        entries = self._index()[0]
        width = max((len(e.cls.__name__) for e in entries), default=0)
        lines = ["Registry", "--------", ""]
        lines += [f"{e.cls.__name__:{width}s}: {e.tags[0]} " for e in entries]  # gammapy's format
        return "\n".join(lines) + "\n"

    def table(self):
        """A printable table: tag, class, plugin, distribution and version."""
        rows = [("tag", "class", "plugin", "distribution")]
        for e in self._index()[0]:
            dist = f"{e.distribution} {e.version}" if e.distribution else "(runtime)"
            rows.append((e.tags[0], e.qualname, e.plugin, dist))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        fmt = "  ".join(f"{{:{w}s}}" for w in widths)
        lines = [fmt.format(*rows[0]), fmt.format(*("-" * w for w in widths))]
        lines += [fmt.format(*r) for r in rows[1:]]
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self):
        if self._entries is None:
            return "<MakerRegistry (not loaded)>"
        return f"<MakerRegistry {len(self._entries)} makers: {', '.join(self.tags)}>"


MAKER_REGISTRY = MakerRegistry()

