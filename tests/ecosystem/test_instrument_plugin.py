"""The instrument-plugin example (examples/instrument_plugin), end to end: a TOYSCOPE
data store whose effective area is in a format the core does not know is reduced
with MapDatasetMaker, and the plugin's IRF reader and maker defaults are used."""
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from gammabin.errors import DataFormatError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "instrument_plugin"
RUN = 23523
# TOYSCOPE coefficients per offset node: deliberately unlike H.E.S.S.'s table
OFFSETS = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
AREA_MAX = [4.0e5, 3.9e5, 3.6e5, 3.1e5, 2.4e5, 1.6e5, 0.8e5]
E_THRESH = [0.5, 0.52, 0.56, 0.62, 0.7, 0.8, 0.95]
INDEX = [1.5, 1.5, 1.45, 1.4, 1.35, 1.3, 1.25]


@pytest.fixture
def toyscope(fake_install):
    fake_install("gammabin-toyscope", {"toyscope": "gammabin_toyscope.plugin"}, EXAMPLE / "src",
                 modules=["gammabin_toyscope"])
    import gammabin_toyscope

    return gammabin_toyscope


def write_toy_store(hess_dir, out, toyscope):
    """Run 23523 as TOYSCOPE data: AEFF replaced by AEFF_PARAM, TELESCOP changed, index updated."""
    name = f"hess_dl3_dr1_obs_id_{RUN:06d}.fits.gz"
    (out / "data").mkdir(parents=True)
    with fits.open(hess_dir / "data" / name) as hdus:
        new = fits.HDUList([fits.PrimaryHDU()])
        for hdu in hdus[1:]:
            if hdu.name == "AEFF":
                hdu = toyscope.aeff_param_hdu(OFFSETS, AREA_MAX, E_THRESH, INDEX, energy_min=0.1,
                                              energy_max=100.0, OBS_ID=RUN, LO_THRES=0.8, HI_THRES=100.0)
            else:
                hdu = hdu.copy()
                hdu.header["TELESCOP"] = toyscope.TELESCOPE
            new.append(hdu)
        new.writeto(out / "data" / f"toyscope_{RUN}.fits")
    rows = [("events", "events", "EVENTS"), ("gti", "gti", "GTI"), ("aeff", "aeff_param", "AEFF"),
            ("edisp", "edisp_2d", "EDISP"), ("psf", "psf_table", "PSF"), ("bkg", "bkg_3d", "BKG")]
    columns = [
        fits.Column("OBS_ID", "K", array=[RUN] * len(rows)),
        fits.Column("HDU_TYPE", "10A", array=[r[0] for r in rows]),
        fits.Column("HDU_CLASS", "12A", array=[r[1] for r in rows]),
        fits.Column("FILE_DIR", "8A", array=["data"] * len(rows)),
        fits.Column("FILE_NAME", "40A", array=[f"toyscope_{RUN}.fits"] * len(rows)),
        fits.Column("HDU_NAME", "10A", array=[r[2] for r in rows]),
    ]
    fits.BinTableHDU.from_columns(columns, name="HDU_INDEX").writeto(out / "hdu-index.fits.gz")
    with fits.open(hess_dir / "obs-index.fits.gz") as hdus:
        table = hdus[1]
        keep = table.data[table.data["OBS_ID"] == RUN]
        obs = fits.BinTableHDU(data=keep, header=table.header)
        obs.header["TELESCOP"] = toyscope.TELESCOPE
        obs.writeto(out / "obs-index.fits.gz")
    return out


def test_without_the_plugin_the_format_is_refused(hess_dir, tmp_path, fake_install):
    import sys

    sys.path.insert(0, str(EXAMPLE / "src"))  # the writer only, no entry point
    try:
        import gammabin_toyscope
        from gammabin.data import DataStore

        store = DataStore.from_dir(write_toy_store(hess_dir, tmp_path / "store", gammabin_toyscope))
        with pytest.raises(DataFormatError, match="aeff_param"):
            store.obs(RUN).aeff
    finally:
        sys.path.remove(str(EXAMPLE / "src"))
        sys.modules.pop("gammabin_toyscope", None)
        sys.modules.pop("gammabin_toyscope.aeff_param", None)


def test_parametric_aeff_read_and_used_in_a_reduction(hess_dir, tmp_path, toyscope):
    from gammabin.data import DataStore
    from gammabin.datasets import MapDataset
    from gammabin.irf import EffectiveAreaTable2D
    from gammabin.makers.from_config import makers_from_list
    from gammabin.maps import MapAxis, WcsGeom
    from gammabin.plugins import plugin_records

    store = DataStore.from_dir(write_toy_store(hess_dir, tmp_path / "store", toyscope))
    obs = store.obs(RUN)
    assert isinstance(obs.aeff, EffectiveAreaTable2D)
    assert {r.name: r for r in plugin_records()}["toyscope"].status == "active"

    makers = makers_from_list(
        [{"tag": "MapDatasetMaker", "selection": ["counts", "exposure", "background"]},
         {"tag": "SafeMaskMaker"}],
        telescope=obs.meta.telescope,
    )
    # TOYSCOPE's default safe-mask policy, from its gammabin_maker_defaults
    assert makers[1].methods == ["offset-max"]
    assert makers[1].offset_max.to_value("deg") == pytest.approx(1.5)

    energy = MapAxis.from_energy_bounds("1 TeV", "10 TeV", nbin=4, name="energy")
    energy_true = MapAxis.from_energy_bounds("0.5 TeV", "20 TeV", nbin=8, name="energy_true")
    geom = WcsGeom.create(skydir=obs.pointing_radec, width=4.0, binsz=0.1, axes=[energy])
    dataset = MapDataset.create(geom, energy_axis_true=energy_true, name="toy")
    for maker in makers:
        dataset = maker.run(dataset, obs)

    # exposure = parametric model x live time, at true-energy centres and pixel offsets
    exposure = dataset.exposure
    offsets = exposure.geom.separation(obs.pointing_radec).to_value("deg")
    params = {"OFFSET": np.array(OFFSETS), "AREA_MAX": np.array(AREA_MAX),
              "E_THRESH": np.array(E_THRESH), "INDEX": np.array(INDEX)}
    centres = energy_true.center.to_value("TeV")
    model = toyscope.evaluate_aeff_param(params, 0.1, 100.0, centres[:, None, None], offsets[None])
    livetime = obs.observation_live_time_duration.to_value("s")
    expected = model * livetime
    inside = np.broadcast_to(offsets <= OFFSETS[-1], expected.shape)
    assert inside.mean() > 0.9
    np.testing.assert_allclose(exposure.quantity.to_value("m2 s")[inside], expected[inside], rtol=1e-4)
    # and it differs from H.E.S.S.'s own table (the plugin's values really were used)
    from gammabin.data import DataStore as _DS

    hess = _DS.from_dir(hess_dir).obs(RUN).aeff
    hess_area = hess.evaluate(energy_true=centres[3] * hess.axes["energy_true"].unit, offset=0.5 * hess.axes["offset"].unit)
    toy_area = toyscope.evaluate_aeff_param(params, 0.1, 100.0, centres[3], 0.5)
    assert abs(float(hess_area.to_value("m2")) - toy_area) > 0.05 * toy_area

    # the safe mask is TOYSCOPE's offset-max 1.5 deg (background > 0 inside the FoV)
    mask = dataset.mask_safe.data
    image_offsets = geom.separation(obs.pointing_radec).to_value("deg")
    assert not mask[:, image_offsets > 1.5 + 1e-6].any()
    assert mask[:, image_offsets < 1.4].all()


def test_user_values_override_instrument_defaults(toyscope):
    from gammabin.makers.from_config import maker_from_dict

    maker = maker_from_dict({"tag": "SafeMaskMaker", "offset_max": "2 deg"}, telescope="TOYSCOPE")
    assert maker.methods == ["offset-max"]  # from the plugin
    assert maker.offset_max.to_value("deg") == pytest.approx(2.0)  # from the user
    other = maker_from_dict({"tag": "SafeMaskMaker"}, telescope="HESS")
    assert other.methods == ["aeff-default"]  # no defaults for other telescopes
