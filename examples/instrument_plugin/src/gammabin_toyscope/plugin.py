"""The hooks gammabin calls (entry point ``toyscope``): kept import-cheap."""
from gammabin import hookimpl

GAMMABIN_PLUGIN_API = 1

#: TOYSCOPE's recommended parameters, used under whatever the user configures.
DEFAULTS = {
    "SafeMaskMaker": {"methods": ["offset-max"], "offset_max": "1.5 deg"},
}


@hookimpl
def gammabin_read_irf(hdu, hdu_class, hdu_type, filename):
    # Decide by the HDU's own header: a data store index may call the class
    # "aeff_param", a single-file read "aeff_aeff_param".
    if hdu_type != "aeff" or str(hdu.header.get("HDUCLAS4", "")).strip().upper() != "AEFF_PARAM":
        return None
    from .aeff_param import read_aeff_param

    return read_aeff_param(hdu, filename=filename)


@hookimpl
def gammabin_maker_defaults(tag, telescope):
    from .aeff_param import TELESCOPE

    if telescope is None or str(telescope).strip().upper() != TELESCOPE:
        return None
    defaults = DEFAULTS.get(tag)
    return dict(defaults) if defaults else None
