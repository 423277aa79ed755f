"""``gammabin demo`` simulates and reduces with no downloaded data: outputs exist, the
numbers are physical, the PNGs are real pictures (not blank)."""
import json
from pathlib import Path

import pytest
import yaml

from gammabin.cli import main
from gammabin.cli.demo import DEMO_MAP_CONFIG, DEMO_SPECTRUM_CONFIG

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "configs"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    return out


def test_demo_writes_datasets_summaries_and_pngs(demo_out):
    for path in ["summary.json", "data/hdu-index.fits.gz", "map/stacked_ring.fits.gz", "map/stacked_ring.png",
                 "map/summary.json", "spectrum/stacked.fits", "spectrum/stacked_arf.fits", "spectrum/stacked_bkg.fits",
                 "spectrum/stacked_rmf.fits", "spectrum/obs_1.fits", "spectrum/stacked.png", "spectrum/summary.json"]:
        assert (demo_out / path).is_file(), path


def test_demo_summary_shows_the_source(demo_out):
    combined = json.loads((demo_out / "summary.json").read_text())
    for label in ("map", "spectrum"):
        summary = combined["reductions"][label]["summary"]
        assert summary["runs"]["reduced"] == [1, 2, 3, 4]
        assert summary["livetime_s"] == pytest.approx(2400.0)
        result = summary["result"]
        assert result["significance_method"] == "li_ma"
        assert result["excess"] == pytest.approx(result["counts"] - result["background"])
        assert result["significance"] > 20  # a bright simulated point source
    spectrum = combined["reductions"]["spectrum"]["summary"]
    # the stack is the sum of the runs (stack_reduce conserves ON and OFF counts)
    assert spectrum["result"]["counts"] == sum(r["counts"] for r in spectrum["per_run"])
    on = combined["reductions"]["map"]["summary"]["result"]["on_region"]
    assert on["excess"] > 0.8 * on["counts"]


@pytest.mark.parametrize("png", ["map/stacked_ring.png", "spectrum/stacked.png"])
def test_demo_pngs_are_not_blank(demo_out, png):
    import matplotlib.image as mpimg

    pixels = mpimg.imread(demo_out / png)[..., :3]
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600
    assert pixels.std() > 0.05
    # pixels that are neither white background nor grey text/axes: the plotted content
    rgb = pixels.reshape(-1, 3)
    coloured = (rgb.max(axis=1) - rgb.min(axis=1)) > 0.15
    assert 0.05 < coloured.mean() < 0.95


def test_shipped_demo_configs_are_the_embedded_ones():
    for name, embedded in (("demo_map.yaml", DEMO_MAP_CONFIG), ("demo_spectrum.yaml", DEMO_SPECTRUM_CONFIG)):
        shipped = yaml.safe_load((EXAMPLES / name).read_text())
        assert shipped == embedded, name
