"""``gammabin plugins``: every plugin seen, loaded or not, with what it provides."""
import json


class PluginsCommand:
    name = "plugins"
    help = "list plugins: name, distribution, status, hooks and maker tags"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--hook", help="only plugins implementing this hook")
        parser.add_argument("--strict", action="store_true",
                            help="exit 1 if any plugin failed to load or conflicts")

    def run(self, args):
        rows = plugin_rows()
        if args.hook:
            rows = [r for r in rows if args.hook in r["hooks"]]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            print(format_table(rows))
        bad = [r for r in rows if r["status"] in ("failed", "duplicate", "conflict")]
        return 1 if (args.strict and bad) else 0


def plugin_rows():
    from .. import plugins
    from ..makers import MAKER_REGISTRY

    records = plugins.plugin_records()
    tags = {}
    for entry in MAKER_REGISTRY.entries():
        tags.setdefault(entry.plugin, []).extend(entry.tags)
    conflicted = {plugin for plugin, _ in MAKER_REGISTRY.problems}
    rows = []
    for record in records:
        row = record.to_dict()
        row["hooks"] = list(row["hooks"])
        row["tags"] = tags.get(record.name, [])
        row["conflicts"] = [t for t in row["tags"] if _is_conflict(MAKER_REGISTRY, t)]
        if row["conflicts"] and row["status"] == "active":
            row["status"] = "conflict"
        if record.name in conflicted and not row["error"]:
            row["error"] = "; ".join(p for n, p in MAKER_REGISTRY.problems if n == record.name)
        rows.append(row)
    return rows


def _is_conflict(registry, tag):
    from ..errors import PluginConflictError

    try:
        registry.get_cls(tag)
    except PluginConflictError:
        return True
    return False


def format_table(rows):
    header = ("name", "distribution", "status", "tags", "hooks")
    lines = []
    for r in rows:
        dist = f"{r['distribution']} {r['version']}" if r["distribution"] else "(runtime)"
        hooks = ",".join(h.removeprefix("gammabin_") for h in r["hooks"])
        lines.append((r["name"], dist, r["status"], ",".join(r["tags"]) or "-", hooks or "-"))
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(5)]
    fmt = "  ".join(f"{{:{w}s}}" for w in widths)
    out = [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line).rstrip() for line in lines]
    for r in rows:
        if r["error"]:
            out.append(f"{r['name']}: {r['error']}")
    return "\n".join(out)
