"""The core never imports the built-in plugins; layers only import downwards."""
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd):
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed (pip install -e .[test])")
    env = {**os.environ, "PYTHONPATH": f"{cwd / 'framework'}{os.pathsep}{cwd / 'plugins'}"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_import_linter_contracts_pass():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    "module, line, broken",
    [
        ("framework/gammabin/kernels.py", "import gammabin_plugins.mapdataset", "core never imports"),
        ("framework/gammabin/maps/__init__.py", "import gammabin.datasets", "Core layers"),
    ],
)
def test_import_linter_fails_on_a_violating_tree(tmp_path, module, line, broken):
    for part in ("framework", "plugins"):
        shutil.copytree(REPO / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    with open(tmp_path / module, "a") as f:
        f.write(f"\n{line}\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout and broken.lower() in result.stdout.lower()


def test_no_dynamic_import_of_plugins_in_the_core():
    pattern = re.compile(r"""(import_module|__import__)\(\s*f?["']gammabin_plugins""")
    offenders = [str(p) for p in (REPO / "framework").rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_import_gammabin_loads_no_plugin_and_no_numerics():
    code = (
        "import sys, gammabin; "
        "bad = sorted(m for m in sys.modules if m.startswith('gammabin_plugins') "
        "or m in ('numpy', 'astropy', 'scipy')); print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_installed_entry_points_match_pyproject():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["gammabin"]
    installed = {ep.name: ep.value for ep in entry_points(group="gammabin")
                 if ep.dist and ep.dist.metadata["Name"] == "gammabin"}
    assert installed == declared, "stale metadata: re-run `pip install -e .`"
    for name, value in declared.items():
        assert (REPO / "plugins" / (value.replace(".", "/") + ".py")).exists(), name
