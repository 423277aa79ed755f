"""Vectorised samplers: sphere offsets, inverse CDFs on tabulated grids, and the
"stochastic interpolation" that samples the bilinearly interpolated mixture of
tabulated rows exactly.  Plain float arrays in degrees / TeV; one rng call per
quantity."""
import numpy as np

__all__ = [
    "offset_by",
    "offset_by_each",
    "fov_to_sky",
    "rayleigh_radius",
    "bracket_weights",
    "choose_corner",
    "invert_row_cdfs",
    "invert_cdf",
    "power_law_in_bins",
]


def _from_offset_frame(x, y, z, lon0, lat0):
    """Direction cosines in the frame centred on (lon0, lat0) (x to the centre, y east,
    z north) → (lon, lat) in degrees."""
    lon0, lat0 = np.deg2rad(float(lon0)), np.deg2rad(float(lat0))
    s0, c0 = np.sin(lat0), np.cos(lat0)
    lat = np.arcsin(np.clip(x * s0 + z * c0, -1.0, 1.0))
    lon = lon0 + np.arctan2(y, x * c0 - z * s0)
    return np.rad2deg(lon) % 360.0, np.rad2deg(lat)


def offset_by(lon, lat, position_angle_deg, separation_deg):
    """Points at ``separation`` from (lon, lat) in direction ``position_angle``
    (east of north); ``lon``/``lat`` scalars, the others arrays."""
    pa = np.deg2rad(np.asarray(position_angle_deg, dtype=float))
    sep = np.deg2rad(np.asarray(separation_deg, dtype=float))
    ss = np.sin(sep)
    return _from_offset_frame(np.cos(sep), ss * np.sin(pa), ss * np.cos(pa), lon, lat)


def offset_by_each(ra, dec, angle, radius):
    """``offset_by`` with one centre per event (exact spherical destination formula)."""
    ra_r, dec_r = np.deg2rad(ra), np.deg2rad(dec)
    pa, sep = np.deg2rad(angle), np.deg2rad(np.nan_to_num(radius))
    sd, cd = np.sin(dec_r), np.cos(dec_r)
    ss, cs = np.sin(sep), np.cos(sep)
    dec_new = np.arcsin(np.clip(sd * cs + cd * ss * np.cos(pa), -1, 1))
    ra_new = ra_r + np.arctan2(np.sin(pa) * ss * cd, cs - sd * np.sin(dec_new))
    return np.rad2deg(ra_new) % 360.0, np.rad2deg(dec_new)


def fov_to_sky(fov_lon, fov_lat, lon0, lat0, reverse_lon=False):
    """Inverse of ``kernels.fov_coordinates``: FoV (lon, lat) → sky (lon, lat), degrees."""
    lon = np.deg2rad(np.asarray(fov_lon, dtype=float))
    lat = np.deg2rad(np.asarray(fov_lat, dtype=float))
    if not reverse_lon:
        lon = -lon  # GADF fov_lon is minus the offset-frame longitude
    cl = np.cos(lat)
    return _from_offset_frame(cl * np.cos(lon), cl * np.sin(lon), np.sin(lat), lon0, lat0)


def rayleigh_radius(uniform, sigma):
    """Radius of a 2-D Gaussian of width ``sigma`` from a uniform in [0, 1)."""
    return sigma * np.sqrt(-2.0 * np.log1p(-uniform))


def bracket_weights(nodes, x):
    """Lower node index and the two linear weights of ``x`` between sorted ``nodes``;
    clamped to the end nodes outside (constant extrapolation).  A single node: (0, 1, 0)."""
    nodes = np.asarray(nodes, dtype=float)
    x = np.asarray(x, dtype=float)
    if nodes.size == 1:
        zeros = np.zeros(x.shape, dtype=np.intp)
        return zeros, np.ones(x.shape), np.zeros(x.shape)
    idx = np.clip(np.searchsorted(nodes, x, side="right") - 1, 0, nodes.size - 2)
    t = np.clip((x - nodes[idx]) / (nodes[idx + 1] - nodes[idx]), 0.0, 1.0)
    return idx, 1.0 - t, t


def choose_corner(weights, uniform):
    """Index (along the last axis) picked with probability ∝ ``weights`` (n, k);
    -1 where all weights are 0."""
    cum = np.cumsum(weights, axis=-1)
    total = cum[:, -1]
    pick = (cum < (uniform * total)[:, np.newaxis]).sum(axis=-1)
    pick = np.minimum(pick, weights.shape[-1] - 1)
    return np.where(total > 0, pick, -1)


def invert_row_cdfs(cdf_rows, edges, rows, uniform):
    """Sample ``x`` from per-event rows of piecewise-uniform densities.

    ``cdf_rows`` (n_rows, n_edges) normalised CDFs on ``edges`` (0 … 1, non-decreasing);
    ``rows`` the row of each event; ``uniform`` in [0, 1).  One ``searchsorted`` on the
    flattened table, each row shifted by its index so the whole table is sorted."""
    n_rows, n_edges = cdf_rows.shape
    shifted = (cdf_rows + 2.0 * np.arange(n_rows)[:, np.newaxis]).ravel()
    target = uniform + 2.0 * rows
    pos = np.searchsorted(shifted, target, side="right")
    pos = np.clip(pos, rows * n_edges + 1, rows * n_edges + n_edges - 1)
    lo, hi = shifted[pos - 1], shifted[pos]
    j = pos - rows * n_edges
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(hi > lo, (target - lo) / (hi - lo), 0.5)
    t = np.clip(t, 0.0, 1.0)
    return edges[j - 1] + t * (edges[j] - edges[j - 1])


def invert_cdf(x_grid, cdf, uniform):
    """Inverse of a tabulated non-decreasing CDF (normalised to end at 1)."""
    return np.interp(uniform, cdf, x_grid)


def power_law_in_bins(e_lo, e_hi, rate_lo, rate_hi, uniform):
    """Energies in [e_lo, e_hi] from the power law through (e_lo, rate_lo), (e_hi, rate_hi)
    (log-log interpolation, as the background integration assumes); log-uniform where a
    rate is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.log(rate_hi / rate_lo) / np.log(e_hi / e_lo)  # d ln rate / d ln E
    g = slope + 1.0  # dN/dlnE ∝ E^g
    bad = ~np.isfinite(g)
    g = np.where(bad, 0.0, g)
    ratio = e_hi / e_lo
    flat = np.abs(g) < 1e-6
    safe_g = np.where(flat, 1.0, g)
    with np.errstate(over="ignore", invalid="ignore"):
        powered = np.log1p(uniform * np.expm1(safe_g * np.log(ratio))) / safe_g
    log_x = np.where(flat, uniform * np.log(ratio), powered)
    return e_lo * np.exp(log_x)
