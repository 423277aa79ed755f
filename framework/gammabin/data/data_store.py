"""DataStore: the HDU and observation index tables of a DL3 data set and the
observations they describe (spec §1.2–1.4)."""
import logging
import warnings

import numpy as np

from gammabin.errors import MissingRequiredHDU, UnknownObservationError

from .hdu_index import HDUIndexTable
from .obs_table import ObservationTable
from .observation import IRF_TYPES, LazyHDU, Observation
from .observations import Observations
from .read_ahead import read_ahead
from .paths import make_path

__all__ = ["DataStore"]

log = logging.getLogger(__name__)

_REQUIRED_IRF = {
    "full-enclosure": ["aeff", "edisp", "psf", "bkg"],
    "point-like": ["aeff", "edisp"],
    "all-optional": [],
}


def _index_path(base_dir, filename, default_names, what):
    """Given name: ``base_dir/name`` else as given; default: first existing default name."""
    if filename is not None:
        candidate = base_dir / make_path(filename)
        path = candidate if candidate.exists() else make_path(filename)
        if not path.exists():
            raise FileNotFoundError(f"{what} file not found: {candidate} (nor {path})")
        return path
    for name in default_names:
        if (base_dir / name).exists():
            return base_dir / name
    return None


class DataStore:
    """``DataStore(hdu_table, obs_table=None)``; build with ``from_dir`` or ``from_file``."""

    DEFAULT_HDU_TABLE = "hdu-index.fits.gz"
    DEFAULT_OBS_TABLE = "obs-index.fits.gz"

    def __init__(self, hdu_table=None, obs_table=None):
        self.hdu_table = HDUIndexTable.normalise(hdu_table) if hdu_table is not None else None
        self.obs_table = obs_table

    @property
    def obs_table(self):
        """Observation index (read on first access: reduction never needs it)."""
        if callable(self._obs_table):
            self._obs_table = self._obs_table()
            if self._obs_table is not None:
                self._obs_table = ObservationTable.normalise(self._obs_table)
        return self._obs_table

    @obs_table.setter
    def obs_table(self, table):
        if table is not None and not callable(table):
            table = ObservationTable.normalise(table)
        self._obs_table = table

    @classmethod
    def from_dir(cls, base_dir, hdu_table_filename=None, obs_table_filename=None):
        """Index files ``hdu-index.fits.gz`` / ``obs-index.fits.gz`` in ``base_dir`` (the plain
        ``.fits`` names are also tried); a missing default obs index gives ``obs_table=None``."""
        base_dir = make_path(base_dir)
        hdu_path = _index_path(base_dir, hdu_table_filename, (cls.DEFAULT_HDU_TABLE, "hdu-index.fits"), "HDU index")
        if hdu_path is None:
            raise FileNotFoundError(f"HDU index file not found: {base_dir / cls.DEFAULT_HDU_TABLE}")
        hdu_table = HDUIndexTable.read(hdu_path, format="fits")
        hdu_table.meta["BASE_DIR"] = str(base_dir)
        obs_path = _index_path(base_dir, obs_table_filename, (cls.DEFAULT_OBS_TABLE, "obs-index.fits"), "observation index")
        if obs_path is None:
            log.info("no observation index in %s", base_dir)
            obs_table = None
        else:
            def obs_table():
                return ObservationTable.read(obs_path, format="fits")
        return cls(hdu_table=hdu_table, obs_table=obs_table)

    @classmethod
    def from_file(cls, filename, hdu_hdu="HDU_INDEX", hdu_obs="OBS_INDEX"):
        """Both index tables from one FITS file; ``BASE_DIR`` is its directory."""
        filename = make_path(filename)
        if not filename.exists():
            raise FileNotFoundError(f"index file not found: {filename}")
        hdu_table = HDUIndexTable.read(filename, hdu=hdu_hdu, format="fits")
        hdu_table.meta["BASE_DIR"] = str(filename.parent)
        def obs_table():
            return ObservationTable.read(filename, hdu=hdu_obs, format="fits")

        return cls(hdu_table=hdu_table, obs_table=obs_table if hdu_obs else None)

    @property
    def obs_ids(self):
        """Sorted unique OBS_ID of the HDU index."""
        return self.hdu_table.obs_id_unique.tolist()

    def info(self, show=True):
        lines = [
            "Data store:",
            f"HDU index table:\nBASE_DIR: {self.hdu_table.meta.get('BASE_DIR')}",
            f"Rows: {len(self.hdu_table)}",
            f"OBS_ID: {self.obs_ids[0]} -- {self.obs_ids[-1]}" if len(self.hdu_table) else "OBS_ID: none",
            "",
            "HDU_TYPE: " + str(self.hdu_table.hdu_type_unique),
            "",
            f"Observation table:\nNumber of observations: {0 if self.obs_table is None else len(self.obs_table)}",
        ]
        text = "\n".join(lines)
        if not show:
            return text
        print(text)

    def __str__(self):
        return self.info(show=False)

    def obs(self, obs_id, required_irf="full-enclosure", require_events=True):
        """One observation, HDUs loaded lazily; ``MissingRequiredHDU`` lists missing required ones."""
        obs_id = int(obs_id)
        if obs_id not in self._obs_id_set:
            raise UnknownObservationError(
                f"observation id {obs_id} not in the HDU index of {self.hdu_table.meta.get('BASE_DIR')}"
            )
        required = _required_hdus(required_irf, require_events)
        sources, missing = {}, []
        for hdu_type in ("events", "gti", *IRF_TYPES):
            location = self.hdu_table.location_info(obs_id, hdu_type)
            if location is None:
                if hdu_type in required:
                    missing.append(hdu_type)
                continue
            sources[hdu_type] = LazyHDU(location.path(), location.hdu_name, hdu_type, location.hdu_class.lower())
        if missing:
            raise MissingRequiredHDU(
                f"observation {obs_id} lacks required HDUs {missing} in the HDU index of "
                f"{self.hdu_table.meta.get('BASE_DIR')}"
            )
        return Observation(obs_id=obs_id, **sources)

    @property
    def _obs_id_set(self):
        cached = getattr(self, "_ids_cache", None)
        if cached is None or cached[0] is not self.hdu_table:
            cached = (self.hdu_table, set(self.obs_ids))
            self._ids_cache = cached
        return cached[1]

    def get_observations(self, obs_id=None, skip_missing=False, required_irf="full-enclosure",
                         require_events=True, selection=None):
        """Observations for ``obs_id`` (all sorted ids when None, given order kept, duplicates
        kept with a warning).  Observations lacking a required HDU are skipped with a warning."""
        if obs_id is None:
            obs_id = self.obs_ids
            if selection is not None:
                selection = np.asarray(selection, dtype=bool)
                obs_id = [o for o, keep in zip(obs_id, selection) if keep]
        else:
            obs_id = [int(o) for o in np.atleast_1d(obs_id)]
            if len(set(obs_id)) != len(obs_id):
                warnings.warn("duplicate observation ids requested; they are kept")
        observations = []
        for oid in obs_id:
            if oid not in self._obs_id_set:
                if skip_missing:
                    warnings.warn(f"skipping observation {oid}: not in the HDU index")
                    continue
                raise UnknownObservationError(
                    f"observation id {oid} not in the HDU index of {self.hdu_table.meta.get('BASE_DIR')}"
                )
            try:
                observations.append(self.obs(oid, required_irf=required_irf, require_events=require_events))
            except MissingRequiredHDU as exc:
                warnings.warn(f"skipping observation {oid}: {exc}")
        if observations:
            read_ahead(observations[0])  # read while the caller sets up its geometry and makers
        return Observations(observations)

    def copy_obs(self, *args, **kwargs):  # pragma: no cover - not part of the reduction path
        raise NotImplementedError("DataStore.copy_obs is not implemented in gammabin")


def _required_hdus(required_irf, require_events):
    if isinstance(required_irf, str):
        if required_irf not in _REQUIRED_IRF:
            raise ValueError(
                f"required_irf {required_irf!r} invalid; use one of {', '.join(_REQUIRED_IRF)} or a list of {IRF_TYPES}"
            )
        required = list(_REQUIRED_IRF[required_irf])
    else:
        required = list(required_irf or [])
        bad = [name for name in required if name not in IRF_TYPES]
        if bad:
            raise ValueError(f"required_irf entries {bad} invalid; valid: {', '.join(IRF_TYPES)}")
    if require_events:
        required += ["events", "gti"]
    return set(required)
