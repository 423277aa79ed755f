"""Hot numeric kernels shared by irf, maps and every maker.

Plain numpy on float arrays: no Quantity, no SkyCoord, no Table.  Angles are in
degrees at the interface unless a name says ``_rad``.  Each section belongs to one
concern (spherical geometry, axis binning, grid interpolation, histogramming);
keep functions small and pure.
"""
import numpy as np

__all__ = []
