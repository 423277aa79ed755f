"""Array comparisons at the tolerances of shared/reference/README.md."""
import numpy as np
from astropy.io import fits


def assert_close(actual, reference, rtol, what):
    """|a − r| ≤ rtol·(|r| + 1e-3·max|r|) per bin, NaN where the reference has NaN."""
    a = np.asarray(actual, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    assert a.shape == r.shape, f"{what}: shape {a.shape} != {r.shape}"
    nan = np.isnan(r)
    assert np.array_equal(np.isnan(a), nan), f"{what}: NaN pattern differs"
    scale = 1e-3 * np.nanmax(np.abs(r)) if r.size and not nan.all() else 0.0
    bound = rtol * (np.abs(r[~nan]) + scale)
    worst = np.max(np.abs(a[~nan] - r[~nan]) - bound, initial=-1.0)
    assert worst <= 0, f"{what}: outside rtol {rtol} (worst excess {worst:.3g})"


def read_hdu(path, name):
    with fits.open(path) as hdul:
        hdu = hdul[name]
        return hdu.data.copy() if hdu.data is not None else None


def hdu_names(path):
    with fits.open(path) as hdul:
        return [h.name for h in hdul]
