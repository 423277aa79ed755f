"""gammabin.simulate — simulated GADF DL3 data stores from IRFs and a sky model.

``simulate_data_store(path, pointings, livetime, irfs, sky_model, seed=0)`` writes per-run
EVENTS + GTI files, a shared IRF file and the HDU / observation index tables; IRFs come
from a GADF file (e.g. CTA prod5) or the analytic ``BuiltinInstrument``;
``crab_like_scene()`` is the small demo scene.
"""
from .instrument import BuiltinInstrument
from .pointings import Pointing, grid_pointings, wobble_pointings
from .scenes import Scene, crab_like_scene
from .simulator import expected_counts, load_irfs, simulate_data_store, simulate_runs, simulate_scene
from .sky_model import GaussianSource, LogParabola, PointSource, PowerLaw, SkyModel

__all__ = [
    "simulate_data_store",
    "simulate_scene",
    "simulate_runs",
    "expected_counts",
    "load_irfs",
    "BuiltinInstrument",
    "crab_like_scene",
    "Scene",
    "Pointing",
    "wobble_pointings",
    "grid_pointings",
    "SkyModel",
    "PointSource",
    "GaussianSource",
    "PowerLaw",
    "LogParabola",
]
