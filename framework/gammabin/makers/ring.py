"""Ring background: the ring kernel and its FFT convolutions (background-makers.md §4, §5).

The kernel is astropy's ``Ring2DKernel`` normalised to peak 1, i.e. a 0/1 array with
both radii inclusive.  Convolutions are ``scipy.signal.fftconvolve(mode="same")``
(zero padding outside the map) done as one circular real FFT on a grid padded by the
largest kernel half-size: the images are transformed once and every kernel (ring,
adaptive rings) costs one spectrum product and one inverse transform."""
import logging
import math

import numpy as np
import scipy.fft

from .exclusion import exclusion_on_geom

__all__ = ["ring_kernel", "RingConvolver", "ring_off_maps", "ring_background_dataset", "pixel_size_deg",
           "adaptive_ring_kernels", "adaptive_ring_off_maps", "adaptive_ring_background_dataset"]

log = logging.getLogger(__name__)


def pixel_size_deg(geom):
    """Pixel size along longitude in degrees (``|CDELT1|`` for CAR/TAN grids)."""
    return float(geom.pixel_scales[0].to_value("deg"))


def ring_kernel(r_in, width):
    """0/1 ring of inner radius ``r_in`` and ``width`` (pixels): odd side
    ``ceil(2 (r_in + width))`` (+1 if even), ``r_in² <= dx² + dy² <= (r_in + width)²``."""
    r_out = r_in + width
    n = math.ceil(2 * r_out)
    if n % 2 == 0:
        n += 1
    d = np.arange(n) - n // 2
    rr = d[:, None] ** 2 + d[None, :] ** 2
    return ((rr >= r_in**2) & (rr <= r_out**2)).astype(float)


class RingConvolver:
    """``mode="same"`` zero-padded convolutions of (…, ny, nx) images with centred odd
    kernels up to side ``max_size``; :meth:`transform` once, :meth:`convolve` per kernel."""

    def __init__(self, shape, max_size):
        self.ny, self.nx = shape
        half = max_size // 2
        # circular convolution equals the linear one on the image if the pad exceeds the half-size
        self.shape = (scipy.fft.next_fast_len(self.ny + half, real=True),
                      scipy.fft.next_fast_len(self.nx + half, real=True))

    def transform(self, images):
        return scipy.fft.rfft2(np.asarray(images, dtype=float), s=self.shape, workers=-1)

    def kernel_spectrum(self, kernel):
        n = kernel.shape[0]
        wrapped = np.zeros(self.shape)
        idx = (np.arange(n) - n // 2)
        wrapped[np.ix_(idx % self.shape[0], idx % self.shape[1])] = kernel
        return scipy.fft.rfft2(wrapped, workers=-1)

    def convolve(self, spectra, kernel_spectrum):
        out = scipy.fft.irfft2(spectra * kernel_spectrum, s=self.shape, workers=-1)
        return out[..., : self.ny, : self.nx]


def ring_off_maps(counts, background, exclusion, r_in_pix, width_pix):
    """``counts_off = conv(counts·E, K)``, ``acceptance_off = conv(background·E, K)`` per
    image plane, float32 (as gammapy stores them).  Arrays (…, ny, nx); ``exclusion``
    (ny, nx) 0/1/NaN."""
    counts = np.asarray(counts, dtype=float)
    kernel = ring_kernel(r_in_pix, width_pix)
    shape = counts.shape
    planes = np.concatenate([
        (counts * exclusion).reshape((-1,) + shape[-2:]),
        (np.asarray(background, dtype=float) * exclusion).reshape((-1,) + shape[-2:]),
    ])
    conv = RingConvolver(shape[-2:], kernel.shape[0])
    result = conv.convolve(conv.transform(planes), conv.kernel_spectrum(kernel)).astype(np.float32)
    n = len(planes) // 2
    return result[:n].reshape(shape), result[n:].reshape(shape)


def ring_background_dataset(dataset, r_in, width, exclusion_mask=None):
    """``MapDatasetOnOff`` of the ring method (§4) for a WCS ``MapDataset``.
    ``r_in``, ``width`` in degrees."""
    from gammabin.datasets import MapDatasetOnOff
    from gammabin.maps import Map

    geom = dataset.counts.geom
    scale = pixel_size_deg(geom)
    exclusion, n_outside = exclusion_on_geom(exclusion_mask, geom, outside=np.nan, dtype=float)
    if n_outside:
        log.warning("RingBackgroundMaker: %d dataset pixels lie outside the exclusion mask; "
                    "their NaN makes every OFF map value NaN (gammapy behaviour)", n_outside)
    background = dataset.npred_background()
    counts_off, acceptance_off = ring_off_maps(dataset.counts.data, background.data, exclusion,
                                               r_in / scale, width / scale)
    mask_safe = dataset.mask_safe.copy()
    mask_safe.data[acceptance_off <= 0] = False
    onoff = MapDatasetOnOff.from_map_dataset(
        dataset, acceptance=background, acceptance_off=Map.from_geom(geom, data=acceptance_off),
        counts_off=Map.from_geom(geom, data=counts_off), name=dataset.name,
    )
    onoff.mask_safe = mask_safe
    return onoff


def adaptive_ring_kernels(r_in, r_out_max, width, stepsize, method):
    """Kernel sequence of the adaptive ring (pixels, numpy ``arange`` upper limits exclusive)."""
    if method == "fixed_width":
        r_ins, widths = np.arange(r_in, r_out_max - width, stepsize), [width]
    elif method == "fixed_r_in":
        r_ins, widths = [r_in], np.arange(width, r_out_max - r_in, stepsize)
    else:
        raise ValueError(f"Invalid method: {method!r}")
    return [ring_kernel(ri, wi) for ri in r_ins for wi in widths]


def adaptive_ring_off_maps(counts, background, exclusion, kernels, threshold_alpha, acceptance):
    """Per pixel, the OFF maps of the first ring whose ``alpha = acceptance / acceptance_off``
    is ``<= threshold_alpha``; NaN where none is.  2-D arrays in, float64 (ny, nx) out."""
    planes = np.stack([(counts * exclusion).astype(np.float32), (background * exclusion).astype(np.float32)])
    conv = RingConvolver(planes.shape[-2:], max(k.shape[0] for k in kernels))
    spectra = conv.transform(planes)
    counts_off, acceptance_off, acc_out = (np.full(planes.shape[-2:], np.nan) for _ in range(3))
    for kernel in kernels:
        c_k, a_k = conv.convolve(spectra, conv.kernel_spectrum(kernel))
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(a_k > 0, acceptance / a_k, np.inf)
        take = (alpha <= threshold_alpha) & np.isnan(counts_off)
        counts_off[take], acceptance_off[take], acc_out[take] = c_k[take], a_k[take], acceptance[take]
        if not np.isnan(counts_off).any():
            break  # every pixel has its ring: later kernels cannot change anything
    return counts_off, acceptance_off, acc_out


def adaptive_ring_background_dataset(dataset, r_in, r_out_max, width, stepsize=0.02, threshold_alpha=0.1,
                                     theta=0.22, method="fixed_width", exclusion_mask=None, fix_theta=False):
    """``MapDatasetOnOff`` of the adaptive ring method (§5); angles in degrees.
    Only the first energy plane is used; its OFF maps are broadcast to every plane."""
    from gammabin.datasets import MapDatasetOnOff
    from gammabin.maps import Map

    geom = dataset.counts.geom
    scale = pixel_size_deg(geom)
    kernels = adaptive_ring_kernels(r_in / scale, r_out_max / scale, width / scale, stepsize / scale, method)
    exclusion, _ = exclusion_on_geom(exclusion_mask, geom, outside=False)
    n_planes = int(np.prod(geom.data_shape[:-2]))
    if n_planes > 1:
        log.warning("AdaptiveRingBackgroundMaker: only the first of %d energy planes is used and its OFF maps "
                    "are copied to every plane (gammapy behaviour); pass an image (to_image())", n_planes)
    counts0 = np.asarray(dataset.counts.data).reshape((-1,) + geom.data_shape[-2:])[0]
    background0 = np.asarray(dataset.npred_background().data).reshape((-1,) + geom.data_shape[-2:])[0]
    # quirk 7: gammapy multiplies theta by the pixel size, so the top-hat is one pixel wide
    theta_pix = theta / scale if fix_theta else theta * scale
    tophat = ring_kernel(0.0, theta_pix)
    if tophat.shape[0] == 1:
        acceptance = background0.astype(np.float32)
    else:
        conv = RingConvolver(background0.shape, tophat.shape[0])
        acceptance = conv.convolve(conv.transform(background0.astype(np.float32)), conv.kernel_spectrum(tophat))
        acceptance = acceptance.astype(np.float32)
    counts_off, acceptance_off, acceptance = adaptive_ring_off_maps(
        counts0, background0, exclusion, kernels, threshold_alpha, acceptance)
    maps = {key: Map.from_geom(geom, data=np.broadcast_to(value, geom.data_shape).copy())
            for key, value in (("counts_off", counts_off), ("acceptance_off", acceptance_off),
                               ("acceptance", acceptance))}
    mask_safe = dataset.mask_safe.copy()
    mask_safe.data[maps["acceptance_off"].data <= 0] = False
    onoff = MapDatasetOnOff.from_map_dataset(dataset, name=dataset.name, **maps)
    onoff.mask_safe = mask_safe
    return onoff
