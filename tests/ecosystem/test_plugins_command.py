"""``gammabin plugins`` (plugins.md §5): rows, statuses, --all, --hook, --strict,
with fake third-party distributions (tests/plugins/fixtures)."""
import json
from pathlib import Path

import pytest

from gammabin.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "plugins" / "fixtures"
FIELDS = {"name", "module", "distribution", "version", "builtin", "status", "hooks", "tags", "error"}


@pytest.fixture
def listing(fake_install, monkeypatch, capsys):
    def _run(*argv, cases=(), env=None):
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        for case in cases:
            monkeypatch.syspath_prepend(str(FIXTURES / case))
        fake_install("gammabin-nothing", {}, FIXTURES, modules=[f"gammabin_test_{c}" for c in cases])
        code = main(["plugins", *argv])
        out = capsys.readouterr().out
        return code, out

    return _run


def _rows(out):
    return {row["name"]: row for row in json.loads(out)}


def test_json_rows_for_builtin_and_third_party(listing):
    code, out = listing("--json", cases=["extra"])
    rows = _rows(out)
    assert code == 0
    assert FIELDS <= set(rows["extra"])
    assert rows["extra"]["status"] == "active" and rows["extra"]["builtin"] is False
    assert rows["extra"]["tags"] == ["ExtraMaker"] and rows["extra"]["module"] == "gammabin_test_extra"
    assert rows["mapdataset"]["builtin"] is True and "MapDatasetMaker" in rows["mapdataset"]["tags"]
    assert rows["mapdataset"]["hooks"] == ["gammabin_register_makers"]


def test_statuses_failed_conflict_and_strict_exit(listing):
    code, out = listing("--json", "--strict", cases=["extra", "conflict", "broken", "badreturn"])
    rows = _rows(out)
    assert code == 1
    assert rows["broken"]["status"] == "failed" and "broken on purpose" in rows["broken"]["error"]
    assert rows["badreturn"]["status"] == "failed" and "not a subclass" in rows["badreturn"]["error"]
    assert rows["extra"]["status"] == rows["conflict"]["status"] == "conflict"
    assert "ExtraMaker" in rows["conflict"]["error"]


def test_blocked_only_with_all(listing):
    env = {"GAMMABIN_DISABLE_PLUGINS": "extra"}
    code, out = listing("--json", cases=["extra"], env=env)
    assert code == 0 and "extra" not in _rows(out)
    code, out = listing("--json", "--all", cases=["extra"], env=env)
    assert _rows(out)["extra"]["status"] == "blocked"


def test_hook_filter_and_table(listing):
    code, out = listing("--hook", "read_irf", cases=["extra"])
    assert code == 0
    assert "extra" not in out and "mapdataset" not in out  # nobody reads IRFs here
    code, out = listing(cases=["extra"])
    assert "ExtraMaker" in out and "[builtin]" in out and "active" in out
