"""``gammabin reduce`` on the shipped V1/V3 configs and on gammapy's V9 AnalysisConfig
reproduces the gammapy 2.1 reference files (shared/reference, README tolerances)."""
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from cli_compare import assert_close, read_hdu

from gammabin.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "configs"
pytestmark = pytest.mark.data


@pytest.fixture
def data_env(monkeypatch, data_dir):
    monkeypatch.setenv("GAMMAPY_DATA", str(data_dir))


def _reduce(config, out, *extra):
    assert main(["reduce", str(config), "--out", str(out), "--quiet", "--no-plots", *extra]) == 0


def test_v1_map_config_reproduces_reference(tmp_path, data_env, reference_dir):
    _reduce(EXAMPLES / "v1_map.yaml", tmp_path)
    ours, ref = tmp_path / "stacked.fits.gz", reference_dir / "V1" / "stacked.fits.gz"
    assert np.abs(read_hdu(ours, "COUNTS") - read_hdu(ref, "COUNTS")).max() <= 0.01
    assert np.array_equal(read_hdu(ours, "MASK_SAFE").astype(bool), read_hdu(ref, "MASK_SAFE").astype(bool))
    assert_close(read_hdu(ours, "EXPOSURE"), read_hdu(ref, "EXPOSURE"), 1e-4, "exposure")
    assert_close(read_hdu(ours, "BACKGROUND"), read_hdu(ref, "BACKGROUND"), 1e-3, "background")
    assert_close(read_hdu(ours, "COUNTS_BANDS")["E_MIN"], read_hdu(ref, "COUNTS_BANDS")["E_MIN"], 1e-6, "energy edges")
    assert read_hdu(ours, "COUNTS").sum() == 7972


def _ogip(path):
    stem = str(path)[: -len(".fits")]
    with fits.open(path) as pha, fits.open(f"{stem}_bkg.fits") as bkg, fits.open(f"{stem}_arf.fits") as arf:
        livetime = pha["SPECTRUM"].header["EXPOSURE"]
        return {
            "counts": pha["SPECTRUM"].data["COUNTS"].astype(float),
            "mask_safe": pha["SPECTRUM"].data["QUALITY"] == 0,
            "acceptance": np.broadcast_to(pha["SPECTRUM"].data["BACKSCAL"], pha["SPECTRUM"].data["COUNTS"].shape),
            "counts_off": bkg["SPECTRUM"].data["COUNTS"].astype(float),
            "acceptance_off": np.broadcast_to(bkg["SPECTRUM"].data["BACKSCAL"], bkg["SPECTRUM"].data["COUNTS"].shape),
            "exposure": arf["SPECRESP"].data["SPECRESP"] * livetime,
        }


@pytest.mark.parametrize("name", ["stacked", "obs_23523", "obs_23559"])
def test_v3_spectrum_config_reproduces_reference(tmp_path_factory, data_env, reference_dir, name):
    out = tmp_path_factory.getbasetemp() / "v3_cli"
    if not (out / "stacked.fits").exists():
        _reduce(EXAMPLES / "v3_spectrum.yaml", out, "--overwrite")
    ours, ref = _ogip(out / f"{name}.fits"), _ogip(reference_dir / "V3" / f"{name}.fits")
    for key in ("counts", "counts_off"):
        assert np.abs(ours[key] - ref[key]).max() <= 0.01, key
    assert np.array_equal(ours["mask_safe"], ref["mask_safe"])
    assert_close(ours["exposure"], ref["exposure"], 1e-4, "exposure")
    for key in ("acceptance", "acceptance_off"):
        assert_close(ours[key], ref[key], 1e-3, key)


def test_v9_gammapy_analysis_config_reproduces_reference(tmp_path, data_env, reference_dir):
    _reduce(reference_dir / "V9" / "analysis_config.yaml", tmp_path)
    ours, ref = tmp_path / "stacked.fits.gz", reference_dir / "V9" / "stacked.fits.gz"
    counts = read_hdu(ours, "COUNTS")
    assert counts.shape == (12, 200, 200)
    assert np.abs(counts - read_hdu(ref, "COUNTS")).max() <= 0.01
    assert np.array_equal(read_hdu(ours, "MASK_SAFE").astype(bool), read_hdu(ref, "MASK_SAFE").astype(bool))
    assert read_hdu(ours, "MASK_SAFE").astype(bool).sum() == 426974
    assert_close(read_hdu(ours, "EXPOSURE"), read_hdu(ref, "EXPOSURE"), 1e-4, "exposure")
    # the FoV maker's norm is applied to the written BACKGROUND (gammapy: npred_background)
    assert_close(read_hdu(ours, "BACKGROUND"), read_hdu(ref, "BACKGROUND"), 1e-3, "background after FoV scaling")
    summary = __import__("json").loads((tmp_path / "summary.json").read_text())
    assert summary["config_origin"] == "gammapy"
    assert summary["result"]["counts"] == 7329
    assert summary["result"]["background"] == pytest.approx(7329.0, rel=1e-3)
