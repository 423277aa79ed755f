"""HDU index table (GADF ``HDU_INDEX``) and the resolution of one (obs_id, hdu_type)
to a file and HDU (spec §1.3)."""
import logging
import warnings

import numpy as np
from astropy.table import Table

from ..errors import DataFormatError, MissingColumnError
from .paths import make_path

__all__ = ["HDUIndexTable", "HDULocation", "HDU_TYPES", "HDU_CLASSES"]

log = logging.getLogger(__name__)

HDU_TYPES = ("events", "gti", "aeff", "edisp", "psf", "bkg", "rad_max", "pointing")
HDU_CLASSES = (
    "events", "gti", "aeff_2d", "edisp_2d", "psf_table", "psf_3gauss", "psf_king",
    "bkg_2d", "bkg_3d", "rad_max_2d", "pointing",
)



REQUIRED_COLUMNS = ("OBS_ID", "HDU_TYPE", "HDU_CLASS", "FILE_DIR", "FILE_NAME", "HDU_NAME")

class HDULocation:
    """Where one HDU lives: ``path()`` resolves ``BASE_DIR/FILE_DIR/FILE_NAME`` and falls
    back to ``FILE_DIR/FILE_NAME`` (each with env vars expanded)."""

    def __init__(self, obs_id, hdu_type, hdu_class, base_dir, file_dir, file_name, hdu_name):
        self.obs_id = int(obs_id)
        self.hdu_type = hdu_type
        self.hdu_class = hdu_class
        self.base_dir = base_dir
        self.file_dir = file_dir
        self.file_name = file_name
        self.hdu_name = hdu_name

    def path(self, abs_path=True):
        relative = make_path(self.file_dir) / make_path(self.file_name)
        if abs_path and self.base_dir:
            candidate = make_path(self.base_dir) / relative
            # Neither exists: name the base-dir path, the clearer one in the error to come.
            if candidate.exists() or not relative.exists():
                return candidate
        return relative

    def __repr__(self):
        return (
            f"HDULocation(obs_id={self.obs_id}, hdu_type={self.hdu_type!r}, hdu_class={self.hdu_class!r}, "
            f"file={str(self.path())!r}, hdu={self.hdu_name!r})"
        )


class HDUIndexTable(Table):
    """Astropy table of the HDU index; ``BASE_DIR`` in ``meta`` anchors relative paths."""

    @classmethod
    def read(cls, filename, hdu=None, format="fits"):
        """Read the index (first table HDU, or ``hdu``) with the fast column reader."""
        from .fits_reading import open_fits

        path = make_path(filename)
        if not path.exists():
            raise FileNotFoundError(f"HDU index file not found: {path}")
        fits_file = open_fits(path)
        name = hdu if hdu is not None else fits_file.hdu_names[1]
        columns = fits_file.table_columns(name)
        header = fits_file.header(name)
        table = Table({key: array for key, (array, _) in columns.items()})
        table.meta.update({k: v for k, v in header.items() if not k.startswith(("TTYPE", "TFORM", "TUNIT", "NAXIS", "TDIM")) and k not in ("XTENSION", "BITPIX", "PCOUNT", "GCOUNT", "TFIELDS", "COMMENT", "HISTORY", "")})
        table.meta.setdefault("BASE_DIR", str(path.parent))
        missing = [c for c in REQUIRED_COLUMNS if c not in table.colnames]
        if missing:
            raise MissingColumnError(
                f"HDU {name!r} of {path}: missing column(s) {', '.join(missing)}; an HDU index "
                f"needs {', '.join(REQUIRED_COLUMNS)}"
            )
        try:
            return cls.normalise(table)
        except UnicodeDecodeError as exc:
            raise DataFormatError(
                f"HDU {name!r} of {path}: a string column holds non-ASCII bytes ({exc}); "
                "expected ASCII text in HDU_TYPE/HDU_CLASS/FILE_DIR/FILE_NAME/HDU_NAME"
            ) from exc

    @classmethod
    def normalise(cls, table):
        """Plain string columns; masked FILE_DIR entries become ``""``."""
        table = cls(table, masked=False) if not isinstance(table, cls) else table
        for name in ("HDU_TYPE", "HDU_CLASS", "FILE_DIR", "FILE_NAME", "HDU_NAME"):
            if name in table.colnames:
                col = table[name]
                if hasattr(col, "filled"):
                    col = col.filled("")
                col = np.asarray(col)
                if col.dtype.kind == "S":
                    col = np.char.decode(col, "ascii")
                table[name] = np.char.strip(col.astype(str))
        return table

    @property
    def base_dir(self):
        return make_path(self.meta.get("BASE_DIR", ""))

    @property
    def obs_id_unique(self):
        return np.unique(np.asarray(self["OBS_ID"], dtype=np.int64))

    @property
    def hdu_type_unique(self):
        return sorted(set(self["HDU_TYPE"]))

    def _lookup(self):
        """{(obs_id, hdu_type): [row indices]} built once (the table is not expected to change)."""
        key = (len(self), id(self["OBS_ID"]))
        cached = getattr(self, "_gb_lookup", None)
        if cached is None or cached[0] != key:
            lookup = {}
            for idx, (obs_id, hdu_type) in enumerate(zip(np.asarray(self["OBS_ID"]), self["HDU_TYPE"])):
                lookup.setdefault((int(obs_id), str(hdu_type).strip()), []).append(idx)
            cached = (key, lookup)
            self._gb_lookup = cached
        return cached[1]

    def location_info(self, obs_id, hdu_type):
        """``HDULocation`` of the first row matching (obs_id, hdu_type), or ``None``.
        The type must be one of ``HDU_TYPES`` (lower-case, matched exactly)."""
        if hdu_type not in HDU_TYPES:
            raise ValueError(f"invalid hdu_type {hdu_type!r}; valid: {', '.join(HDU_TYPES)}")
        rows = self._lookup().get((int(obs_id), hdu_type), [])
        if not rows:
            return None
        if len(rows) > 1:
            warnings.warn(f"found {len(rows)} HDU index rows for obs {obs_id}, type {hdu_type!r}; using the first")
        row = self[rows[0]]
        return HDULocation(
            obs_id=obs_id,
            hdu_type=hdu_type,
            hdu_class=str(row["HDU_CLASS"]).strip(),
            base_dir=self.meta.get("BASE_DIR", ""),
            file_dir=str(row["FILE_DIR"]) if "FILE_DIR" in self.colnames else "",
            file_name=str(row["FILE_NAME"]),
            hdu_name=str(row["HDU_NAME"]),
        )

    hdu_location = location_info
