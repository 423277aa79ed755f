"""``gammabin plugins``: every plugin seen, loaded or not, with what it provides.

One row per plugin: name, module, distribution, version, builtin, status, hooks,
tags (makers and region finders) and error.  Status is one of

``active``    loaded and registered;
``blocked``   not imported (``GAMMABIN_DISABLE_PLUGINS``, or autoload off);
``failed``    import, registration or its registration hook failed;
``conflict``  claims a tag another plugin claims, or reuses another's entry-point name.

Blocked plugins are listed only with ``--all``.  It works with broken plugins and
exits 0 unless ``--strict`` is given and a plugin failed or conflicts.
"""
import json

__all__ = ["PluginsCommand", "plugin_rows", "format_table"]

_PROBLEM_STATUSES = ("failed", "conflict")


class PluginsCommand:
    name = "plugins"
    help = "list plugins: name, distribution, status, hooks and maker tags"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="machine-readable output (a list of objects)")
        parser.add_argument("--all", action="store_true", help="also list blocked (not imported) plugins")
        parser.add_argument("--hook", help="only plugins implementing this hook (with or without 'gammabin_')")
        parser.add_argument("--strict", action="store_true",
                            help="exit 1 if any plugin failed to load or conflicts")

    def run(self, args):
        rows = plugin_rows()
        shown = rows if args.all else [r for r in rows if r["status"] != "blocked"]
        if args.hook:
            hook = args.hook if args.hook.startswith("gammabin_") else f"gammabin_{args.hook}"
            shown = [r for r in shown if hook in r["hooks"]]
        if args.json:
            print(json.dumps(shown, indent=2, default=str))
        else:
            print(format_table(shown))
            hidden = sum(r["status"] == "blocked" for r in rows) if not args.all else 0
            if hidden:
                print(f"({hidden} blocked plugin(s) not shown; --all lists them)")
        bad = [r for r in rows if r["status"] in _PROBLEM_STATUSES]
        return 1 if (args.strict and bad) else 0


def _registries():
    from ..makers import MAKER_REGISTRY
    from ..makers.from_config import REGION_FINDER_REGISTRY

    return [MAKER_REGISTRY, REGION_FINDER_REGISTRY]


def _conflicting_tags(registry):
    from ..errors import PluginConflictError

    conflicts = set()
    for entry in registry.entries():
        for tag in entry.tags:
            try:
                registry.get_cls(tag)
            except PluginConflictError:
                conflicts.add(tag)
    return conflicts


def plugin_rows():
    """One dict per plugin (see the module docstring), in load order."""
    from .. import plugins

    records = plugins.plugin_records()
    tags, problems, conflicts = {}, {}, set()
    for registry in _registries():
        for entry in registry.entries():
            tags.setdefault(entry.plugin, []).extend(entry.tags)
        for plugin, problem in registry.problems:
            problems.setdefault(plugin, []).append(problem)
        conflicts |= _conflicting_tags(registry)
    rows = []
    for record in records:
        row = record.to_dict()
        row["hooks"] = list(row["hooks"])
        row["tags"] = tags.get(record.name, [])
        row["conflicts"] = [t for t in row["tags"] if t in conflicts]
        errors = [row["error"]] if row["error"] else []
        if row["status"] == "duplicate":
            row["status"] = "conflict"
        elif row["status"] == "active" and row["conflicts"]:
            row["status"] = "conflict"
            errors.append(f"tag(s) {', '.join(row['conflicts'])} also claimed by another plugin")
        if record.name in problems:
            errors.extend(problems[record.name])
            if row["status"] == "active":  # its registration hook raised or returned junk
                row["status"] = "failed"
        row["error"] = "; ".join(errors) or None
        rows.append(row)
    return rows


def format_table(rows):
    header = ("name", "distribution", "status", "tags", "hooks")
    lines = []
    for r in rows:
        dist = f"{r['distribution']} {r['version']}" if r["distribution"] else "(runtime)"
        if r["builtin"]:
            dist += " [builtin]"
        hooks = ",".join(h.removeprefix("gammabin_") for h in r["hooks"])
        lines.append((r["name"], dist, r["status"], ",".join(r["tags"]) or "-", hooks or "-"))
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(5)]
    fmt = "  ".join(f"{{:{w}s}}" for w in widths)
    out = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line).rstrip() for line in lines]
    for r in rows:
        if r["error"]:
            out.append(f"{r['name']} ({r['module']}): {r['error']}")
    return "\n".join(out)
