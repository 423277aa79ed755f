"""``gammabin info`` and ``gammabin simulate``."""
import json

import pytest

from gammabin.cli import main


@pytest.mark.data
def test_info_on_dr1(hess_dir, capsys):
    assert main(["info", str(hess_dir), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["n_observations"] == 105
    crab = next(t for t in info["targets"] if t["object"] == "Crab Nebula")
    assert crab["n_observations"] == 4
    assert crab["livetime_s"] == pytest.approx(6313.8, abs=1.0)  # V1's four runs: 1.754 h
    assert info["irf_types"]["aeff:aeff_2d"] == 105
    assert 0.1 < info["energy_threshold_tev"]["min"] < info["energy_threshold_tev"]["max"] < 5
    assert main(["info", str(hess_dir), "--rows", "3"]) == 0
    text = capsys.readouterr().out
    assert "105 observations" in text and "Crab Nebula" in text


def test_simulate_then_info(tmp_path, capsys):
    out = tmp_path / "store"
    assert main(["simulate", str(out), "--runs", "3", "--livetime", "120", "--seed", "3"]) == 0
    assert "simulated 3 run(s)" in capsys.readouterr().out
    assert main(["info", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["n_observations"] == 3
    assert info["livetime_s"] == pytest.approx(360.0)
    assert info["targets"] == [{"object": "Crab-like", "n_observations": 3, "livetime_s": pytest.approx(360.0)}]
    assert {"aeff:aeff_2d", "events:events", "gti:gti"} <= set(info["irf_types"])
    assert all(0 < r["energy_threshold_tev"][0] < 10 for r in info["observations"])
    assert main(["simulate", str(out)]) == 2  # exists: needs --overwrite


def test_info_on_missing_folder(tmp_path, capsys):
    assert main(["info", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "does not exist" in err
