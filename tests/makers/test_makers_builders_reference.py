"""Map builders against gammapy 2.1 reference files, map by map (no dataset layer):
V2 per-run files are complete (2° at 0.04°, 31 true-energy bins); V1 per-run files are
1.5° cutouts of the 5° map.  Geometries are read back from the reference files."""
import numpy as np
import pytest
from astropy.io import fits

from gammabin.makers import map_builders as mb
from gammabin.makers.builders.dataset_step import observation_pointing, prepared_background

RUNS = [23523, 23592, 23526, 23559]


def _geom(path, hdu):
    from gammabin.maps import Map

    return Map.read(path, hdu=hdu).geom


@pytest.mark.parametrize("recipe", ["V1", "V2"])
@pytest.mark.parametrize("obs_id", RUNS)
def test_maps_match_reference(recipe, obs_id, crab_observations, reference_dir, compare):
    path = reference_dir / recipe / f"obs_{obs_id}.fits.gz"
    obs = crab_observations[obs_id]
    pointing = observation_pointing(obs)
    livetime = obs.observation_live_time_duration
    with fits.open(path) as ref:
        counts = mb.make_counts(_geom(path, "COUNTS"), obs.events)
        assert counts.data.dtype == np.float32
        assert np.max(np.abs(counts.data - ref["COUNTS"].data)) <= 0.01

        exposure = mb.make_map_exposure_true_energy(pointing, livetime, obs.aeff, _geom(path, "EXPOSURE"))
        compare.rtol(exposure.data, ref["EXPOSURE"].data, 1e-4, "exposure")

        background = mb.make_map_background_irf(pointing, obs.observation_time_duration,
                                                prepared_background(obs.bkg), _geom(path, "BACKGROUND"))
        compare.rtol(background.data, ref["BACKGROUND"].data, 1e-3, "background")

        geom_psf = _geom(path, "PSF")
        exposure_psf = mb.make_map_exposure_true_energy(pointing, livetime, obs.aeff, geom_psf.squash("rad"))
        psf = mb.make_psf_map(obs.psf, pointing, geom_psf, exposure_map=exposure_psf)
        compare.irf(psf.psf_map.quantity.to_value("deg-2"), ref["PSF"].data, "psf")
        compare.irf(psf.exposure_map.data, ref["PSF_EXPOSURE"].data, "psf exposure")

        geom_edisp = _geom(path, "EDISP")
        exposure_edisp = mb.make_map_exposure_true_energy(pointing, livetime, obs.aeff, geom_edisp.squash("energy"))
        edisp = mb.make_edisp_kernel_map(obs.edisp, pointing, geom_edisp, exposure_map=exposure_edisp)
        compare.irf(edisp.edisp_map.data, ref["EDISP"].data, "edisp")
        compare.irf(edisp.exposure_map.data, ref["EDISP_EXPOSURE"].data, "edisp exposure")


def test_background_oversampling_conserves_totals(crab_observations):
    """Sub-binning the power-law integral changes the sum only slightly (the model is
    close to a power law inside each bin) and the result keeps the reco binning."""
    from gammabin.maps import MapAxis, WcsGeom

    obs = crab_observations[23523]
    axis = MapAxis.from_bounds(1, 10, nbin=11, name="energy", unit="TeV", interp="log")
    geom = WcsGeom.create(skydir=(83.63, 22.01), width=2, binsz=0.04, axes=[axis])
    bkg = prepared_background(obs.bkg)
    plain = mb.make_map_background_irf(obs.pointing_radec, "1687 s", bkg, geom)
    fine = mb.make_map_background_irf(obs.pointing_radec, "1687 s", bkg, geom, oversampling=3)
    assert fine.data.shape == plain.data.shape
    np.testing.assert_allclose(fine.data.sum(), plain.data.sum(), rtol=2e-2)
    assert not np.allclose(fine.data, plain.data, rtol=1e-9)
