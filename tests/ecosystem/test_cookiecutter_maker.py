"""cookiecutter-maker: render with default answers, check the file set, install the
result in isolation (``pip install --no-deps --target``), run its own tests under
``GAMMABIN_STRICT_PLUGINS=1``, and use its maker in gammabin: listing, registry,
and a reduction of H.E.S.S. DR1 run 23523 after MapDatasetMaker and SafeMaskMaker."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import gammabin.plugins as plugins

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "cookiecutter-maker"
DEFAULTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
PLUGIN, CLASS = DEFAULTS["plugin_name"], DEFAULTS["maker_class"]
DIST, PACKAGE = "gammabin-energy-band", "gammabin_energy_band"
EXPECTED_FILES = {
    ".ci/run",
    "README.md",
    "pyproject.toml",
    f"src/{PACKAGE}/__init__.py",
    f"src/{PACKAGE}/maker.py",
    f"tests/test_{PACKAGE}.py",
}

cookiecutter = pytest.importorskip("cookiecutter.main").cookiecutter


def _env(target, **extra):
    path = os.pathsep.join([str(target), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {**os.environ, "PYTHONPATH": path, **extra}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(project folder, install target, seconds from cookiecutter to a passing test run)."""
    out = tmp_path_factory.mktemp("rendered")
    target = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    project = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(out)))
    files = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                          str(target), str(project)], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=project, capture_output=True, text=True,
                           env=_env(target, GAMMABIN_STRICT_PLUGINS="1"))
    elapsed = time.perf_counter() - start
    return project, files, target, tests, elapsed


def test_rendered_file_set(generated):
    project, files, *_ = generated
    assert project.name == DIST
    assert files == EXPECTED_FILES
    pyproject = (project / "pyproject.toml").read_text()
    assert f'{PLUGIN} = "{PACKAGE}"' in pyproject
    assert '"gammabin>=0.1,<1"' in pyproject  # API-major pin (plugins.md §5)
    assert os.access(project / ".ci" / "run", os.X_OK)


def test_generated_tests_pass_in_strict_mode(generated):
    *_, tests, elapsed = generated
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "8 passed" in tests.stdout
    print(f"cookiecutter -> install -> passing tests: {elapsed:.1f} s")


def test_listed_by_gammabin_plugins(generated):
    _, _, target, *_ = generated
    result = subprocess.run([sys.executable, "-m", "gammabin.cli", "plugins", "--json"],
                            capture_output=True, text=True, env=_env(target))
    assert result.returncode == 0, result.stderr
    row = {r["name"]: r for r in json.loads(result.stdout)}[PLUGIN]
    assert (row["status"], row["distribution"], row["builtin"]) == ("active", DIST, False)
    assert row["tags"] == [CLASS] and row["module"] == PACKAGE


@pytest.fixture
def installed(generated, monkeypatch):
    _, _, target, *_ = generated
    monkeypatch.syspath_prepend(str(target))
    plugins.reset()
    yield
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        sys.modules.pop(name)
    monkeypatch.undo()
    plugins.reset()


def test_registry_and_reduction_of_run_23523(installed, hess_dir):
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.makers import MAKER_REGISTRY
    from gammabin.makers.from_config import makers_from_list
    from gammabin.maps import MapAxis, WcsGeom

    cls = MAKER_REGISTRY.get_cls(CLASS)
    assert cls.__module__ == f"{PACKAGE}.maker"
    obs = DataStore.from_dir(hess_dir).obs(23523)
    energy = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=obs.pointing_radec, axes=[energy], width=3, binsz=0.05)
    map_maker, safe_maker, band_maker = makers_from_list([
        {"tag": "MapDatasetMaker", "selection": ["counts", "exposure", "background"]},
        {"tag": "SafeMaskMaker", "methods": ["aeff-default", "offset-max"], "offset_max": "1.2 deg"},
        {"tag": CLASS, "energy_min": "2 TeV", "energy_max": "8 TeV"},
    ])
    dataset = safe_maker.run(map_maker.run(MapDataset.create(geom, name="r23523"), obs), obs)
    before = dataset.mask_safe.data.copy()
    dataset = band_maker.run(dataset, obs)
    after = dataset.mask_safe.data
    # edges 1, 1.23, 1.52, 1.87, 2.31, 2.85, 3.51, 4.33, 5.34, 6.58, 8.11, 10 TeV:
    # bins 4..8 lie within [2, 8] TeV
    band = np.zeros(11, dtype=bool)
    band[4:9] = True
    assert np.array_equal(after, before & band[:, None, None])
    assert after.sum(axis=(1, 2)).tolist() == [0] * 4 + before[4:9].sum(axis=(1, 2)).tolist() + [0, 0]
    assert before[4:9].sum() > 0 and before[:4].sum() > 0  # SafeMaskMaker kept those, the band did not


@pytest.mark.parametrize("answer, message", [
    ({"tag": "SafeMaskMaker"}, "built-in"),
    ({"package": "not-an-identifier"}, "package"),
    ({"maker_class": "lower_case"}, "maker_class"),
])
def test_pre_gen_hook_rejects_bad_answers(tmp_path, answer, message, capfd):
    from cookiecutter.exceptions import FailedHookException

    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(tmp_path), extra_context=answer)
    assert message in capfd.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing generated
