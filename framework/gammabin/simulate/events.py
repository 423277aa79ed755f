"""Per-run event generation: source photons (spectrum × effective area × livetime,
thinned by the offset dependence of the area, smeared by PSF and energy dispersion)
and background events (BKG rate × ontime).  One seeded generator per run."""
import attrs
import numpy as np

from gammabin import kernels

from .irf_samplers import background_sampler, edisp_sampler, psf_sampler
from .sampling import invert_cdf, offset_by, offset_by_each, rayleigh_radius
from .sky_model import GaussianSource

__all__ = ["RunSetup", "generate_run_events", "expected_source_counts", "expected_background_counts", "energy_grid"]

_CM2_PER_M2 = 1e4
_N_ENERGY_GRID = 1024


@attrs.frozen
class RunSetup:
    """What one run needs: pointing (deg), livetime, ontime and start (s after the
    reference time), energy ranges (TeV)."""

    obs_id: int
    ra: float
    dec: float
    livetime: float
    ontime: float
    energy_true: tuple
    energy_reco: tuple
    tstart: float = 0.0


def energy_grid(e_min, e_max, n=_N_ENERGY_GRID):
    return np.geomspace(e_min, e_max, n)


def _offset_candidates(aeff, offset0, extent):
    """Offsets at which the max of the (offset-linear) area over [offset0 ± extent] lies."""
    lo, hi = max(0.0, offset0 - extent), offset0 + extent
    centres = aeff.axes["offset"].center.to_value("deg")
    inside = centres[(centres > lo) & (centres < hi)]
    return np.concatenate([[lo, offset0, hi], inside])


def _source_table(aeff, source, run):
    """(energy grid, dN/dlnE × Δ cumulative, total expected, max area per energy)."""
    offset0 = float(kernels.angular_separation(run.ra, run.dec, source.ra, source.dec))
    energy = energy_grid(*run.energy_true)
    candidates = _offset_candidates(aeff, offset0, source.extent)
    area_max = aeff._evaluate_float(energy[:, None], candidates[None, :]).max(axis=1)
    density = source.spectrum.evaluate(energy) * energy * area_max * _CM2_PER_M2 * run.livetime  # dN/dlnE
    log_e = np.log(energy)
    steps = 0.5 * (density[1:] + density[:-1]) * np.diff(log_e)
    cdf = np.concatenate([[0.0], np.cumsum(steps)])
    return energy, cdf, float(cdf[-1]), area_max


def expected_source_counts(aeff, source, run):
    """Expected number of detected photons of ``source`` (before PSF / EDISP / cuts),
    for a point source exact up to the energy-grid quadrature."""
    energy, cdf, total, area_max = _source_table(aeff, source, run)
    if source.extent == 0:
        return total
    # extended: the thinning keeps a fraction of the envelope; estimate it on a fixed sample
    rng = np.random.default_rng(12345)
    n = 20000
    e = np.exp(invert_cdf(np.log(energy), cdf / total, rng.random(n)))
    ra, dec = _source_positions(rng, source, n)
    offset = kernels.angular_separation(run.ra, run.dec, ra, dec)
    keep = aeff._evaluate_float(e, offset) / np.interp(e, energy, area_max)
    return total * float(np.mean(np.clip(keep, 0, 1)))


def _source_positions(rng, source, n):
    if isinstance(source, GaussianSource):
        uniform = rng.random((2, n))
        return offset_by(source.ra, source.dec, 360.0 * uniform[0], rayleigh_radius(uniform[1], source.sigma))
    return np.full(n, source.ra), np.full(n, source.dec)


def _source_events(rng, irfs, source, run):
    """True energies and directions of the detected photons of one source."""
    aeff = irfs["aeff"]
    energy, cdf, total, area_max = _source_table(aeff, source, run)
    n = int(rng.poisson(total)) if total > 0 else 0
    if n == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    e_true = np.exp(invert_cdf(np.log(energy), cdf / total, rng.random(n)))
    ra, dec = _source_positions(rng, source, n)
    if source.extent > 0:  # thin by the offset dependence of the area
        offset = kernels.angular_separation(run.ra, run.dec, ra, dec)
        accept = aeff._evaluate_float(e_true, offset) / np.interp(e_true, energy, area_max)
        keep = rng.random(n) < accept
        e_true, ra, dec = e_true[keep], ra[keep], dec[keep]
    return e_true, ra, dec


def _smear(rng, irfs, run, e_true, ra, dec):
    """Reconstructed (ra, dec, energy) from true ones via PSF and EDISP; NaN energy where
    the tables give no response."""
    offset = kernels.angular_separation(run.ra, run.dec, ra, dec)
    radius = psf_sampler(irfs["psf"]).sample(rng, e_true, offset)
    angle = 360.0 * rng.random(e_true.size)
    ra_reco, dec_reco = offset_by_each(ra, dec, angle, radius)
    migra = edisp_sampler(irfs["edisp"]).sample(rng, e_true, offset)
    return ra_reco, dec_reco, e_true * migra


def _reco_edges(bkg, run):
    e_min, e_max = run.energy_reco
    per_decade = 20
    n = max(1, int(np.ceil(per_decade * np.log10(e_max / e_min))))
    return np.geomspace(e_min, e_max, n + 1)


def expected_background_counts(bkg, run):
    return background_sampler(bkg, _reco_edges(bkg, run)).rate_total * run.ontime


def generate_run_events(irfs, sky_model, run, seed):
    """Event columns of one run (dict of arrays, sorted by TIME in s from the run
    start): RA, DEC, ENERGY, MC_ID (0 background, i + 1 for source i)."""
    rng = np.random.default_rng(seed)
    parts = []
    for index, source in enumerate(sky_model):
        e_true, ra, dec = _source_events(rng, irfs, source, run)
        ra, dec, energy = _smear(rng, irfs, run, e_true, ra, dec)
        parts.append((ra, dec, energy, np.full(ra.size, index + 1, dtype=np.int32)))
    sampler = background_sampler(irfs["bkg"], _reco_edges(irfs["bkg"], run))
    n_bkg = int(rng.poisson(sampler.rate_total * run.ontime))
    ra, dec, energy = sampler.sample(rng, n_bkg, run.ra, run.dec)
    parts.append((ra, dec, energy, np.zeros(ra.size, dtype=np.int32)))
    ra, dec, energy, mc_id = (np.concatenate(cols) for cols in zip(*parts))
    e_min, e_max = run.energy_reco
    keep = (energy >= e_min) & (energy < e_max)  # NaN (no response) dropped too
    ra, dec, energy, mc_id = ra[keep], dec[keep], energy[keep], mc_id[keep]
    time = np.sort(rng.random(ra.size)) * run.ontime
    order = rng.permutation(ra.size)  # events in arrival order, kinds mixed
    return {"TIME": time, "RA": ra[order], "DEC": dec[order], "ENERGY": energy[order], "MC_ID": mc_id[order]}
