"""OGIP spectrum files of ON/OFF datasets, in gammapy 2.1's layout (spec §1.9).

``<stem><suffix>``      PHA  : PRIMARY, SPECTRUM, EBOUNDS, REGION, GTI
``<stem>_bkg<suffix>``  BKG  : PRIMARY, SPECTRUM (HDUCLAS2 BKG), EBOUNDS, REGION (OFF regions)
``<stem>_arf<suffix>``  ARF  : PRIMARY, SPECRESP (exposure / livetime)
``<stem>_rmf<suffix>``  RMF  : PRIMARY, MATRIX (non-zero channel groups), EBOUNDS

Headers reference the companions by bare file name; every HDU carries CREATOR/CREATED;
each file is written atomically.
"""
from pathlib import Path

import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.table import Table

from gammabin.errors import DataFormatError, MissingColumnError, MissingHDUError, MissingKeyError, UnitMismatchError

__all__ = ["ogip_filenames", "write_ogip", "read_ogip", "guess_format", "rmf_groups"]


def ogip_filenames(filename):
    """dict pha/arf/bkg/rmf → Path (companions beside the PHA, ``_arf`` etc. before the suffix)."""
    path = Path(filename)
    name = path.name
    suffix = "".join(path.suffixes[-2:]) if name.endswith(".gz") else path.suffix
    stem = name[: len(name) - len(suffix)] if suffix else name
    return {
        "pha": path,
        "arf": path.with_name(f"{stem}_arf{suffix}"),
        "bkg": path.with_name(f"{stem}_bkg{suffix}"),
        "rmf": path.with_name(f"{stem}_rmf{suffix}"),
    }


# --- writing --------------------------------------------------------------------------------
def _units(format):
    """(energy unit or None = keep the axis unit, area unit)."""
    return ("keV", "cm2") if format == "ogip-sherpa" else (None, "m2")


def _edges(axis, energy_unit):
    edges = axis.edges if energy_unit is None else axis.edges.to(energy_unit)
    return edges[:-1], edges[1:]


def _ebounds_hdu(axis, energy_unit):
    lo, hi = _edges(axis, energy_unit)
    table = Table()
    table["CHANNEL"] = np.arange(axis.nbin, dtype=np.int16)
    table["E_MIN"] = u.Quantity(lo, dtype=np.float64)
    table["E_MAX"] = u.Quantity(hi, dtype=np.float64)
    hdu = fits.BinTableHDU(table, name="EBOUNDS")
    for key, value, comment in (
        ("TELESCOP", "DUMMY", "Mission/satellite name"),
        ("INSTRUME", "DUMMY", "Instrument/detector"),
        ("FILTER", "None", "Filter information"),
        ("CHANTYPE", "PHA", "Type of channels (PHA, PI etc)"),
        ("DETCHANS", axis.nbin, "Total number of detector PHA channels"),
        ("HDUCLASS", "OGIP", "Organisation devising file format"),
        ("HDUCLAS1", "RESPONSE", "File relates to response of instrument"),
        ("HDUCLAS2", "EBOUNDS", "This is an EBOUNDS extension"),
        ("HDUVERS", "1.2.0", "Version of file format"),
    ):
        hdu.header[key] = (value, comment)
    return hdu


def _spectrum_hdu(counts, quality, backscal, nbin, livetime_s, hduclas2, obs_id, names):
    table = Table()
    table["CHANNEL"] = np.arange(nbin, dtype=np.int16)
    table["COUNTS"] = np.nan_to_num(np.asarray(counts, dtype=np.float64).reshape(-1)).astype(np.int32)
    table["QUALITY"] = np.asarray(quality, dtype=bool).reshape(-1)
    table["BACKSCAL"] = np.asarray(backscal).reshape(-1)
    hdu = fits.BinTableHDU(table, name="SPECTRUM")
    keys = [
        ("TELESCOP", "unknown"), ("INSTRUME", "unknown"), ("FILTER", "None"), ("EXPOSURE", livetime_s),
        ("CORRFILE", ""), ("CORRSCAL", ""), ("ANCRFILE", names["arf"]), ("HDUCLASS", "OGIP"),
        ("HDUCLAS1", "SPECTRUM"), ("HDUVERS", "1.2.1"), ("POISSERR", True), ("CHANTYPE", "PHA"),
        ("DETCHANS", nbin), ("GROUPING", 0), ("AREASCAL", 1), ("HDUCLAS2", hduclas2),
        ("HDUCLAS3", "COUNT"), ("HDUCLAS4", "TYPE:1"), ("OBS_ID", obs_id),
    ]
    if "bkg" in names:
        keys.append(("BACKFILE", names["bkg"]))
    if "rmf" in names:
        keys.append(("RESPFILE", names["rmf"]))
    for key, value in keys:
        hdu.header[key] = value
    return hdu


def _region_hdu(geom):
    if geom.region is None:
        return None
    return fits.BinTableHDU(geom.to_region_table(), name="REGION")


def _arf_hdu(axis_true, specresp, energy_unit, area_unit):
    lo, hi = _edges(axis_true, energy_unit)
    table = Table()
    table["ENERG_LO"] = u.Quantity(lo, dtype=np.float64)
    table["ENERG_HI"] = u.Quantity(hi, dtype=np.float64)
    table["SPECRESP"] = specresp.to(area_unit)
    hdu = fits.BinTableHDU(table, name="SPECRESP")
    for key, value in (
        ("TELESCOP", "unknown"), ("INSTRUME", "unknown"), ("FILTER", "None"), ("HDUCLASS", "OGIP"),
        ("HDUCLAS1", "RESPONSE"), ("HDUCLAS2", "SPECRESP"), ("HDUVERS", "1.1.0"),
    ):
        hdu.header[key] = value
    return hdu


def rmf_groups(matrix):
    """Per true-energy row: (F_CHAN, N_CHAN, values) of the maximal runs of non-zero
    channels; an all-zero row gives ([0], [0], [])."""
    rows = []
    for row in np.asarray(matrix):
        nonzero = np.flatnonzero(row != 0)
        if nonzero.size == 0:
            rows.append((np.array([0], np.int16), np.array([0], np.int16), np.array([], np.float32)))
            continue
        breaks = np.flatnonzero(np.diff(nonzero) > 1)
        starts = np.concatenate([[nonzero[0]], nonzero[breaks + 1]])
        ends = np.concatenate([nonzero[breaks], [nonzero[-1]]])
        values = np.concatenate([row[s : e + 1] for s, e in zip(starts, ends)]).astype(np.float32)
        rows.append((starts.astype(np.int16), (ends - starts + 1).astype(np.int16), values))
    return rows


def _rmf_hdu(axis_true, axis_reco, matrix, energy_unit):
    lo, hi = _edges(axis_true, energy_unit)
    groups = rmf_groups(matrix)
    f_chan = [g[0] for g in groups]
    n_chan = [g[1] for g in groups]
    values = [g[2] for g in groups]
    columns = [
        fits.Column("ENERG_LO", "E", unit=str(lo.unit), array=lo.value.astype(np.float32)),
        fits.Column("ENERG_HI", "E", unit=str(hi.unit), array=hi.value.astype(np.float32)),
        fits.Column("N_GRP", "I", array=np.array([len(f) for f in f_chan], dtype=np.int16)),
        fits.Column("F_CHAN", f"PI({max(len(f) for f in f_chan)})", array=f_chan),
        fits.Column("N_CHAN", f"PI({max(len(n) for n in n_chan)})", array=n_chan),
        fits.Column("MATRIX", f"PE({max(len(v) for v in values)})", array=values),
    ]
    hdu = fits.BinTableHDU.from_columns(columns, name="MATRIX")
    for key, value in (
        ("CHANTYPE", "PHA"), ("HDUCLASS", "OGIP"), ("HDUCLAS1", "RESPONSE"), ("HDUCLAS2", "RSP_MATRIX"),
        ("DETCHANS", axis_reco.nbin), ("NUMGRP", int(sum(len(f) for f in f_chan))),
        ("NUMELT", int(sum(int(np.sum(n)) for n in n_chan))), ("TLMIN4", 0),
    ):
        hdu.header[key] = value
    # EXTNAME after the keys, as gammapy's files have it
    del hdu.header["EXTNAME"]
    hdu.header["EXTNAME"] = ("MATRIX", "extension name")
    return hdu


def _finish(hdus):
    from .fits_io import _creation_keys

    hdulist = fits.HDUList([fits.PrimaryHDU()] + [h for h in hdus if h is not None])
    keys = _creation_keys()
    for hdu in hdulist:
        hdu.header.update(keys)
    return hdulist


def write_ogip(dataset, filename, overwrite=False, format="ogip", checksum=False):
    """Write PHA, ARF and (if present) BKG and RMF files of an ON/OFF spectrum."""
    from .fits_io import gti_to_table_hdu

    paths = ogip_filenames(filename)
    exposure = dataset.exposure
    livetime = None if exposure is None else exposure.meta.get("livetime")
    if livetime is None:
        raise ValueError(f"{paths['pha']}: OGIP export needs exposure.meta['livetime']")
    livetime = u.Quantity(livetime)
    energy_unit, area_unit = _units(format)
    names = {"arf": paths["arf"].name}
    if dataset.counts_off is not None:
        names["bkg"] = paths["bkg"].name
    if dataset.edisp is not None:
        names["rmf"] = paths["rmf"].name
    axis = dataset.counts.geom.axes["energy"]
    nbin = axis.nbin
    quality = np.zeros(nbin, bool) if dataset.mask_safe is None else ~np.asarray(dataset.mask_safe.data, bool)
    acceptance = np.ones(nbin) if dataset.acceptance is None else dataset.acceptance.data
    livetime_s = float(livetime.to_value("s"))
    obs_id = dataset.name

    pha = _finish([
        _spectrum_hdu(dataset.counts.data, quality, acceptance, nbin, livetime_s, "TOTAL", obs_id, names),
        _ebounds_hdu(axis, energy_unit),
        _region_hdu(dataset.counts.geom),
        None if dataset.gti is None else gti_to_table_hdu(dataset.gti),
    ])
    specresp = u.Quantity(np.asarray(exposure.data, dtype=np.float64).reshape(-1), exposure.unit) / livetime
    axis_true = exposure.geom.axes["energy_true"]
    arf = _finish([_arf_hdu(axis_true, specresp, energy_unit, area_unit)])
    outputs = [(pha, paths["pha"]), (arf, paths["arf"])]
    if dataset.counts_off is not None:
        acceptance_off = np.ones(nbin) if dataset.acceptance_off is None else dataset.acceptance_off.data
        bkg = _finish([
            _spectrum_hdu(dataset.counts_off.data, quality, acceptance_off, nbin, livetime_s, "BKG", obs_id, names),
            _ebounds_hdu(axis, energy_unit),
            _region_hdu(dataset.counts_off.geom),
        ])
        outputs.append((bkg, paths["bkg"]))
    if dataset.edisp is not None:
        edisp_map = dataset.edisp.edisp_map
        if getattr(edisp_map.geom, "is_region", False):
            # one spatial bin: the kernel is the map itself (n_true, n_reco)
            data = np.asarray(edisp_map.data)
            matrix = data.reshape((-1,) + data.shape[-4:])[0][:, :, 0, 0]
        else:
            kernel = dataset.edisp.get_edisp_kernel()
            matrix = np.asarray(getattr(kernel, "pdf_matrix", getattr(kernel, "data", None)))
        true_axis = dataset.edisp.edisp_map.geom.axes["energy_true"]
        rmf = _finish([_rmf_hdu(true_axis, axis, matrix, energy_unit), _ebounds_hdu(axis, energy_unit)])
        outputs.append((rmf, paths["rmf"]))
    _write_group_atomic(outputs, overwrite=overwrite, checksum=checksum)


def _write_group_atomic(outputs, overwrite, checksum):
    """PHA, ARF, BKG and RMF reference each other: write every temporary file first and
    rename them only when all are complete, so an interrupted write leaves the old set."""
    import os
    import tempfile

    for _, path in outputs:
        if path.exists() and not overwrite:
            raise OSError(f"File exists: {path} (use overwrite=True)")
    temps = []
    try:
        for hdulist, path in outputs:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".fits", dir=path.parent)
            os.close(fd)
            temps.append(tmp)
            hdulist.writeto(tmp, overwrite=True, checksum=checksum)
        for tmp, (_, path) in zip(temps, outputs):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.remove(tmp)


# --- reading ---------------------------------------------------------------------------------------
def _open(path):
    from gammabin.maps.fits_io import open_fits_checked

    return open_fits_checked(path)


def guess_format(filename):
    """``ogip`` for a SPECTRUM HDU with HDUCLASS OGIP, ``gadf`` for COUNTS_BANDS, else DataFormatError."""
    with _open(filename) as hdulist:
        names = [h.name for h in hdulist]
        if "SPECTRUM" in names and hdulist["SPECTRUM"].header.get("HDUCLASS", "").strip() == "OGIP":
            return "ogip"
        if "COUNTS_BANDS" in names:
            return "gadf"
    raise DataFormatError(f"{filename}: cannot guess the format (no OGIP SPECTRUM HDU, no COUNTS_BANDS HDU)")


def _hdu(hdulist, name, path):
    try:
        return hdulist[name]
    except KeyError:
        raise MissingHDUError(f"{path}: HDU {name!r} missing (found {[h.name for h in hdulist]})") from None


def _column(hdu, name, path):
    if name not in hdu.columns.names:
        raise MissingColumnError(f"{path}, HDU {hdu.name}: column {name!r} missing (found {hdu.columns.names})")
    data = np.asarray(hdu.data[name])
    return data.astype(data.dtype.newbyteorder("=")) if not data.dtype.isnative else data


def _unit(hdu, column, path, expected):
    idx = hdu.columns.names.index(column)
    raw = hdu.columns[idx].unit or ""
    try:
        unit = u.Unit(raw)
    except ValueError:
        raise UnitMismatchError(f"{path}, HDU {hdu.name}: column {column!r} has unparsable unit {raw!r}") from None
    if not unit.is_equivalent(expected):
        raise UnitMismatchError(
            f"{path}, HDU {hdu.name}: column {column!r} has unit {raw!r}, expected one convertible to {expected!r}")
    return unit


def _finite(hdu, column, path):
    """Column values refusing NaN/inf (they would silently poison exposure or edges)."""
    values = _column(hdu, column, path).astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise DataFormatError(f"{path}, HDU {hdu.name}: column {column!r} holds {int(np.sum(~np.isfinite(values)))} non-finite value(s)")
    return values


def _energy_axis(hdu, lo_col, hi_col, name, path):
    from gammabin.maps import MapAxis

    lo, hi = _finite(hdu, lo_col, path), _finite(hdu, hi_col, path)
    unit = _unit(hdu, lo_col, path, "TeV")
    if len(lo) == 0:
        raise DataFormatError(f"{path}, HDU {hdu.name}: no energy bins ({lo_col}/{hi_col} empty)")
    if np.any(np.diff(lo) <= 0) or np.any(hi[:-1] != lo[1:]) or hi[-1] <= lo[-1]:
        raise DataFormatError(
            f"{path}, HDU {hdu.name}: {lo_col}/{hi_col} must be strictly increasing, contiguous energy bins")
    edges = np.append(lo, hi[-1])
    return MapAxis.from_energy_edges(u.Quantity(edges, unit), name=name)


def _region_geom(hdulist, axes, path):
    from gammabin.maps import RegionGeom

    if "REGION" not in [h.name for h in hdulist]:
        return RegionGeom(None, axes=axes)
    return RegionGeom.from_region_table(Table.read(hdulist["REGION"]), axes=axes)


def _companion(header, key, pha_path):
    name = header.get(key)
    if not name or not str(name).strip():
        return None
    path = Path(str(name).strip())
    path = path if path.is_absolute() and path.exists() else pha_path.parent / path.name
    if not path.is_file():
        raise FileNotFoundError(f"{pha_path}, HDU SPECTRUM: {key} names {str(name).strip()!r}, not found at {path}")
    return path


def _read_spectrum(path):
    """(geom, counts, quality, backscal, header, gti hdu copy) of a PHA/BKG file."""
    with _open(path) as hdulist:
        spectrum = _hdu(hdulist, "SPECTRUM", path)
        axis = _energy_axis(_hdu(hdulist, "EBOUNDS", path), "E_MIN", "E_MAX", "energy", path)
        geom = _region_geom(hdulist, [axis], path)
        counts = _column(spectrum, "COUNTS", path)
        if len(counts) != axis.nbin:
            raise DataFormatError(
                f"{path}, HDU SPECTRUM: {len(counts)} rows, expected one per EBOUNDS channel ({axis.nbin})")
        if counts.dtype.kind == "f" and not np.all(np.isfinite(counts)):
            raise DataFormatError(f"{path}, HDU SPECTRUM: column 'COUNTS' holds non-finite value(s)")
        quality = _column(spectrum, "QUALITY", path) if "QUALITY" in spectrum.columns.names else np.zeros(len(counts), bool)
        backscal = _column(spectrum, "BACKSCAL", path) if "BACKSCAL" in spectrum.columns.names else np.ones(len(counts))
        header = spectrum.header.copy()
        gti = None
        if "GTI" in [h.name for h in hdulist]:
            from gammabin.data.gti import GTI

            gti = GTI.from_table_hdu(hdulist["GTI"])
    return geom, counts, quality, backscal, header, gti


def _read_rmf(path, axis_reco):
    """Dense (n_true, n_reco) matrix and the true-energy axis of an RMF file."""
    with _open(path) as hdulist:
        hdu = _hdu(hdulist, "MATRIX", path)
        axis_true = _energy_axis(hdu, "ENERG_LO", "ENERG_HI", "energy_true", path)
        tlmin = hdu.header.get("TLMIN4", 1)
        matrix = np.zeros((axis_true.nbin, axis_reco.nbin), dtype=np.float32)
        f_chan, n_chan, values = (hdu.data[_require(hdu, c, path)] for c in ("F_CHAN", "N_CHAN", "MATRIX"))
        for i in range(axis_true.nbin):
            offset = 0
            row = np.asarray(values[i])
            for f, n in zip(np.atleast_1d(f_chan[i]), np.atleast_1d(n_chan[i])):
                start, n = int(f) - tlmin, int(n)
                if start < 0 or n < 0 or start + n > axis_reco.nbin or offset + n > row.size:
                    raise DataFormatError(
                        f"{path}, HDU MATRIX: row {i} group F_CHAN={int(f)}, N_CHAN={n} lies outside "
                        f"the {axis_reco.nbin} channels or the row's {row.size} values")
                matrix[i, start : start + n] = row[offset : offset + n]
                offset += n
        if not np.all(np.isfinite(matrix)):
            raise DataFormatError(f"{path}, HDU MATRIX: column 'MATRIX' holds non-finite value(s)")
    return matrix, axis_true


def _require(hdu, column, path):
    if column not in hdu.columns.names:
        raise MissingColumnError(f"{path}, HDU {hdu.name}: column {column!r} missing (found {hdu.columns.names})")
    return column


def read_ogip(filename, checksum=False):
    """Constructor arguments of SpectrumDatasetOnOff from a PHA file and its companions."""
    from gammabin.irf.edisp_map import EDispKernelMap
    from gammabin.maps import Map, RegionGeom

    path = Path(filename)
    geom, counts, quality, backscal, header, gti = _read_spectrum(path)
    if "EXPOSURE" not in header:
        raise MissingKeyError(f"{path}, HDU SPECTRUM: key 'EXPOSURE' (livetime, s) missing")
    try:
        livetime = float(header["EXPOSURE"])
    except (TypeError, ValueError):
        livetime = np.nan
    if not np.isfinite(livetime) or livetime < 0:
        raise DataFormatError(f"{path}, HDU SPECTRUM: key 'EXPOSURE' = {header['EXPOSURE']!r}, expected a livetime >= 0 s")
    livetime = u.Quantity(livetime, "s")
    shape = geom.data_shape
    members = {
        "counts": Map.from_geom(geom, data=counts.astype(np.float32).reshape(shape)),
        "acceptance": Map.from_geom(geom, data=backscal.reshape(shape), dtype=backscal.dtype),
        "mask_safe": Map.from_geom(geom, data=(quality == 0).reshape(shape), dtype=bool),
        "gti": gti,
        "name": str(header.get("OBS_ID", path.stem)),
    }
    arf_path = _companion(header, "ANCRFILE", path)
    exposure = None
    if arf_path is not None:
        with _open(arf_path) as arf:
            hdu = _hdu(arf, "SPECRESP", arf_path)
            axis_true = _energy_axis(hdu, "ENERG_LO", "ENERG_HI", "energy_true", arf_path)
            values = _finite(hdu, "SPECRESP", arf_path)
            if np.any(values < 0):
                raise DataFormatError(f"{arf_path}, HDU SPECRESP: column 'SPECRESP' holds negative effective area")
            if len(values) != axis_true.nbin:
                raise DataFormatError(
                    f"{arf_path}, HDU SPECRESP: {len(values)} SPECRESP values, expected {axis_true.nbin} (one per row)")
            specresp = u.Quantity(values, _unit(hdu, "SPECRESP", arf_path, "m2"))
        geom_true = RegionGeom(geom.region, axes=[axis_true], wcs=geom.wcs)
        data = (specresp * livetime).to("m2 s")
        exposure = Map.from_geom(geom_true, data=data.value.reshape(geom_true.data_shape), unit="m2 s", dtype=np.float64)
        exposure.meta["livetime"] = livetime
        members["exposure"] = exposure
    bkg_path = _companion(header, "BACKFILE", path)
    if bkg_path is not None:
        geom_off, counts_off, _, backscal_off, _, _ = _read_spectrum(bkg_path)
        if len(counts_off) != len(counts):
            raise DataFormatError(f"{bkg_path}: {len(counts_off)} OFF channels, the PHA file {path.name} has {len(counts)}")
        geom_off = geom if geom_off.region is None else geom_off
        members["counts_off"] = Map.from_geom(geom_off, data=counts_off.astype(np.float32).reshape(shape))
        members["acceptance_off"] = Map.from_geom(geom_off, data=backscal_off.reshape(shape), dtype=backscal_off.dtype)
    rmf_path = _companion(header, "RESPFILE", path)
    if rmf_path is not None:
        axis_reco = geom.axes["energy"]
        matrix, axis_true = _read_rmf(rmf_path, axis_reco)
        geom_edisp = RegionGeom(geom.region, axes=[axis_reco, axis_true], wcs=geom.wcs)
        kernel = Map.from_geom(geom_edisp, data=matrix.reshape(geom_edisp.data_shape))
        exposure_map = None
        if exposure is not None:
            geom_x = geom_edisp.squash("energy")
            exposure_map = Map.from_geom(geom_x, data=exposure.data.reshape(geom_x.data_shape), unit=exposure.unit)
        members["edisp"] = EDispKernelMap(kernel, exposure_map)
    if members["counts"].data.size != len(counts):
        raise DataFormatError(f"{path}: SPECTRUM rows do not match EBOUNDS channels")
    return members
