"""TOYSCOPE's parametric effective area, ``HDUCLAS4 = 'AEFF_PARAM'``.

The format (made up for this example) is a binary table with one row per offset
node and these columns:

=========  =====  ==========================================================
OFFSET     deg    offset of the node from the pointing position (increasing)
AREA_MAX   m2     plateau area ``A_max``
E_THRESH   TeV    threshold energy ``E_t``
INDEX             steepness ``k`` of the rise
=========  =====  ==========================================================

At a node the area is ``A(E) = A_max * (1 - exp(-(E / E_t) ** k))`` for
``ENERG_LO <= E <= ENERG_HI`` (header keywords, TeV) and 0 outside that range.
Between nodes the area is linear in offset.  The header carries the usual
``HDUCLAS1 = 'RESPONSE'``, ``HDUCLAS2 = 'EFF_AREA'``, ``HDUCLAS3 = 'FULL-ENCLOSURE'``
and optionally ``LO_THRES``/``HI_THRES`` (TeV, the safe range).

gammabin's makers evaluate effective areas as tables, so the reader turns the
parameters into the core's ``EffectiveAreaTable2D``: the offset nodes are the rows
and the energy nodes ``NODES_PER_DECADE`` log-spaced values from ``ENERG_LO`` to
``ENERG_HI``.  Linear-in-log-energy interpolation between so dense nodes stays
within 1e-4 of the model for ``INDEX <= 2``.
"""
import numpy as np
from astropy import units as u
from astropy.io import fits

__all__ = ["TELESCOPE", "HDUCLAS4", "NODES_PER_DECADE", "evaluate_aeff_param", "read_aeff_param",
           "aeff_param_hdu"]

TELESCOPE = "TOYSCOPE"
HDUCLAS4 = "AEFF_PARAM"
NODES_PER_DECADE = 200
COLUMNS = {"OFFSET": "deg", "AREA_MAX": "m2", "E_THRESH": "TeV", "INDEX": ""}


def _table(hdu, filename):
    from gammabin.errors import MissingColumnError, MissingKeyError

    names = set(hdu.columns.names)
    for column in COLUMNS:
        if column not in names:
            raise MissingColumnError(f"file {filename}, HDU {hdu.name!r}: column {column!r} missing "
                                     f"(AEFF_PARAM needs {', '.join(COLUMNS)})")
    for key in ("ENERG_LO", "ENERG_HI"):
        if key not in hdu.header:
            raise MissingKeyError(f"file {filename}, HDU {hdu.name!r}: header key {key!r} missing (TeV)")
    return {c: np.asarray(hdu.data[c], dtype=float) for c in COLUMNS}


def evaluate_aeff_param(params, energy_min, energy_max, energy_tev, offset_deg):
    """The model in m2 at ``energy_tev`` x ``offset_deg`` (broadcast), from column arrays."""
    energy = np.asarray(energy_tev, dtype=float)
    offset = np.asarray(offset_deg, dtype=float)
    nodes = params["OFFSET"]
    at_nodes = params["AREA_MAX"] * -np.expm1(-(energy[..., None] / params["E_THRESH"]) ** params["INDEX"])
    inside = (energy >= energy_min) & (energy <= energy_max)
    at_nodes = np.where(inside[..., None], at_nodes, 0.0)
    # linear in offset between nodes (vectorised over the broadcast shape)
    index = np.clip(np.searchsorted(nodes, offset, side="right") - 1, 0, len(nodes) - 2)
    weight = (offset - nodes[index]) / (nodes[index + 1] - nodes[index])
    low = np.take_along_axis(at_nodes, index[..., None], axis=-1)[..., 0]
    high = np.take_along_axis(at_nodes, (index + 1)[..., None], axis=-1)[..., 0]
    return (1 - weight) * low + weight * high


def read_aeff_param(hdu, filename=None):
    """``EffectiveAreaTable2D`` (the core's class) tabulating an AEFF_PARAM HDU."""
    from gammabin.irf import EffectiveAreaTable2D
    from gammabin.maps import MapAxis

    params = _table(hdu, filename)
    energy_min, energy_max = float(hdu.header["ENERG_LO"]), float(hdu.header["ENERG_HI"])
    decades = np.log10(energy_max / energy_min)
    nodes = np.geomspace(energy_min, energy_max, int(np.ceil(decades * NODES_PER_DECADE)) + 1)
    energy_axis = MapAxis.from_nodes(nodes, interp="log", name="energy_true", unit="TeV")
    offset_axis = MapAxis.from_nodes(params["OFFSET"], interp="lin", name="offset", unit="deg")
    area = evaluate_aeff_param(params, energy_min, energy_max, nodes[:, None], params["OFFSET"][None, :])
    meta = {k: hdu.header[k] for k in ("TELESCOP", "INSTRUME", "OBS_ID", "LO_THRES", "HI_THRES")
            if k in hdu.header}
    return EffectiveAreaTable2D(axes=[energy_axis, offset_axis], data=area * u.m**2, meta=meta)


def aeff_param_hdu(offset, area_max, e_thresh, index, energy_min=0.1, energy_max=100.0,
                   name="AEFF", **header):
    """Write the format: a ``BinTableHDU`` from per-offset coefficient arrays."""
    columns = [
        fits.Column(name="OFFSET", format="D", unit="deg", array=np.asarray(offset, float)),
        fits.Column(name="AREA_MAX", format="D", unit="m2", array=np.asarray(area_max, float)),
        fits.Column(name="E_THRESH", format="D", unit="TeV", array=np.asarray(e_thresh, float)),
        fits.Column(name="INDEX", format="D", array=np.asarray(index, float)),
    ]
    hdu = fits.BinTableHDU.from_columns(columns, name=name)
    cards = {"HDUCLASS": "GADF", "HDUCLAS1": "RESPONSE", "HDUCLAS2": "EFF_AREA",
             "HDUCLAS3": "FULL-ENCLOSURE", "HDUCLAS4": HDUCLAS4, "TELESCOP": TELESCOPE,
             "ENERG_LO": float(energy_min), "ENERG_HI": float(energy_max), **header}
    for key, value in cards.items():
        hdu.header[key] = value
    return hdu
