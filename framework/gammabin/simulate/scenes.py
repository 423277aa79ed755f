"""Demo scenes: small, fast to simulate and to reduce."""
import attrs
import numpy as np

from .instrument import BuiltinInstrument
from .pointings import wobble_pointings
from .sky_model import LogParabola, PointSource, SkyModel

__all__ = ["Scene", "crab_like_scene"]

CRAB_RA, CRAB_DEC = 83.6331, 22.0145


@attrs.frozen
class Scene:
    """Everything ``simulate_data_store`` needs besides a folder and a seed."""

    name: str
    target_ra: float
    target_dec: float
    sky_model: SkyModel
    pointings: tuple = attrs.field(converter=tuple)
    livetime: float  # s per run
    instrument: BuiltinInstrument = attrs.field(factory=BuiltinInstrument)


def crab_like_scene(n_runs=4, livetime=600.0, wobble_offset=0.5):
    """A Crab-like point source (log-parabola, MAGIC-like parameters) observed in
    ``n_runs`` wobble runs of ``livetime`` seconds with the built-in instrument
    (about 1.4 source and 1 background event per second above 50 GeV)."""
    spectrum = LogParabola(alpha=2.47, beta=0.24 / np.log(10), amplitude=3.23e-11, reference=1.0)
    source = PointSource(CRAB_RA, CRAB_DEC, spectrum, name="Crab-like")
    pointings = wobble_pointings(CRAB_RA, CRAB_DEC, offset=wobble_offset, n=4)
    pointings = [pointings[i % 4] for i in range(n_runs)]
    return Scene(
        name="Crab-like",
        target_ra=CRAB_RA,
        target_dec=CRAB_DEC,
        sky_model=SkyModel([source]),
        pointings=pointings,
        livetime=float(livetime),
    )
