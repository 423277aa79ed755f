"""Fixtures of the ecosystem tests: fake installs of a plugin package (a
``*.dist-info`` folder on ``sys.path``, as ``tests/plugins/fixtures`` do) with the
plugin manager rebuilt around each test."""
import sys

import pytest

import gammabin.plugins as plugins


@pytest.fixture
def fake_install(monkeypatch, tmp_path):
    """``fake_install(distribution, version, entry_points, source_dir, modules)``: make
    ``importlib.metadata`` see ``distribution`` with ``entry_points`` (name → module)
    in group ``gammabin`` and its code importable from ``source_dir``."""
    imported = []

    def _install(distribution, entry_points, source_dir, version="0.1.0", modules=()):
        site = tmp_path / f"site-{distribution}-{len(imported)}-{len(sys.path)}"
        info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True, exist_ok=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n")
        lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
        (info / "entry_points.txt").write_text(f"[gammabin]\n{lines}")
        monkeypatch.syspath_prepend(str(site))
        monkeypatch.syspath_prepend(str(source_dir))
        imported.extend(modules)
        plugins.reset()

    plugins.reset()
    yield _install
    for name in list(sys.modules):
        if any(name == m or name.startswith(m + ".") for m in imported):
            sys.modules.pop(name)
    monkeypatch.undo()
    plugins.reset()
