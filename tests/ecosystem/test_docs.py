"""docs/: ``sphinx-build -W`` passes (warnings are errors), the generated references
cover every hook and every registered maker's fields, and the ```python blocks of the
pages below run (in page order, one namespace per page) against the real data."""
import inspect
import re
import subprocess
import sys
import types
from pathlib import Path

import attrs
import pytest

import gammabin.plugins as plugins
from gammabin import hookspecs

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
EXECUTED_PAGES = ["getting-started.md", "user-guide/map-dataset-maker.md",
                  "user-guide/safe-mask-maker.md", "user-guide/configuration.md", "plugin-authors.md"]

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                             str(DOCS), str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _text(path):
    return re.sub(r"<[^>]+>", "", path.read_text())


def test_every_hook_is_documented_with_its_signature(html):
    text = _text(html / "hook-reference.html")
    for name, func in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("gammabin_"):
            params = ", ".join(inspect.signature(func).parameters)
            assert f"{name}({params})" in text, name
            first_line = inspect.getdoc(func).split("\n")[0]
            assert first_line in text, name


def test_configuration_reference_lists_every_field_of_every_maker(html):
    from gammabin.makers import MAKER_REGISTRY

    text = _text(html / "configuration-reference.html")
    assert len(MAKER_REGISTRY) >= 2
    for entry in MAKER_REGISTRY.entries():
        assert entry.tags[0] in text
        if attrs.has(entry.cls):
            for field in attrs.fields(entry.cls):
                if field.init:
                    assert field.name in text, (entry.tags[0], field.name)
    safe = _text(html / "user-guide" / "safe-mask-maker.html")
    assert "offset_max" in safe and "a quantity in deg" in safe


def test_optional_and_main_pages_built(html):
    for page in ("index", "getting-started", "plugin-authors", "architecture", "cli"):
        assert (html / f"{page}.html").exists()
    assert (html / "scaling.html").exists() == (DOCS / "scaling.md").exists()


def _python_blocks(page):
    return re.findall(r"^```python\n(.*?)^```", (DOCS / page).read_text(), flags=re.S | re.M)


@pytest.mark.parametrize("page", EXECUTED_PAGES)
def test_docs_code_runs(page, data_dir, monkeypatch):
    blocks = _python_blocks(page)
    assert blocks, f"{page} has no python blocks"
    monkeypatch.setenv("GAMMABIN_DATA", str(data_dir))
    name = "gammabin_docs_page_" + re.sub(r"\W", "_", page)
    module = types.ModuleType(name)
    monkeypatch.setitem(sys.modules, name, module)
    plugins.reset()
    try:
        for index, block in enumerate(blocks):
            exec(compile(block, f"{page}[block {index}]", "exec"), module.__dict__)
    finally:
        plugins.reset()
