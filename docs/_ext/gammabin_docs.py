"""Build-time documentation generated from the code.

``{maker-parameters} TAG``
    the parameter table of one registered maker, from its attrs fields
    (``gammabin.makers.from_config.maker_schema``): name, default, expected type/unit, doc.
``{maker-reference}``
    one such table per maker in ``MAKER_REGISTRY``, third-party plugins included.
``{hook-list}``
    the hook names with their one-line summaries, from ``gammabin.hookspecs``.

Optional pages: a toctree line naming a page that does not exist (e.g. ``scaling``,
written separately) is dropped before parsing instead of failing ``-W`` builds.
"""
import inspect
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive, directives

OPTIONAL_PAGES = ("scaling",)


def _table(header, rows, widths):
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    body = nodes.tbody()
    group += body
    for target, cells in ((head, [header]), (body, rows)):
        for cells_row in cells:
            row = nodes.row()
            for cell in cells_row:
                entry = nodes.entry()
                entry += nodes.paragraph(text=str(cell))
                row += entry
            target += row
    return table


def _format_default(value):
    if value is None:
        return "None"
    return str(value)


def parameter_rows(cls):
    from gammabin.makers.from_config import maker_schema

    return [(e["name"], _format_default(e["default"]), e.get("expected", ""), e.get("doc", ""))
            for e in maker_schema(cls)]


def parameter_table(cls):
    return _table(("parameter", "default", "expected", "meaning"), parameter_rows(cls), (18, 18, 24, 40))


class MakerParameters(Directive):
    required_arguments = 1

    def run(self):
        from gammabin.makers import MAKER_REGISTRY

        cls = MAKER_REGISTRY.get_cls(self.arguments[0])
        return [parameter_table(cls)]


class MakerReference(Directive):
    def run(self):
        from gammabin.makers import MAKER_REGISTRY

        out = []
        for entry in MAKER_REGISTRY.entries():
            cls = entry.cls
            out.append(nodes.rubric(text=f"{entry.tags[0]}  ({entry.qualname}, plugin {entry.plugin!r})"))
            summary = (inspect.getdoc(cls) or "").split("\n\n")[0]
            if summary:
                out.append(nodes.paragraph(text=summary))
            import attrs

            if attrs.has(cls):
                out.append(parameter_table(cls))
            else:
                out.append(nodes.paragraph(text="not an attrs class: cannot be built from configuration"))
        return out


class HookList(Directive):
    def run(self):
        from gammabin import hookspecs

        rows = []
        for name, func in inspect.getmembers(hookspecs, inspect.isfunction):
            if not name.startswith("gammabin_"):
                continue
            opts = getattr(func, "gammabin_spec", {}) or {}
            kind = "firstresult" if opts.get("firstresult") else "collect"
            summary = (inspect.getdoc(func) or "").split("\n")[0]
            rows.append((f"{name}{inspect.signature(func)}", kind, summary))
        return [_table(("hook", "kind", "summary"), rows, (40, 12, 48))]


def _drop_missing_optional_pages(app, docname, source):
    if docname != "index":
        return
    srcdir = Path(app.srcdir)
    lines = source[0].split("\n")
    keep = [line for line in lines
            if not (line.strip() in OPTIONAL_PAGES and not (srcdir / f"{line.strip()}.md").exists())]
    source[0] = "\n".join(keep)


def setup(app):
    directives.register_directive("maker-parameters", MakerParameters)
    directives.register_directive("maker-reference", MakerReference)
    directives.register_directive("hook-list", HookList)
    app.connect("source-read", _drop_missing_optional_pages)
    return {"version": "0.1", "parallel_read_safe": True}
