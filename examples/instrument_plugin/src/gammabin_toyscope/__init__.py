"""gammabin support for the (made-up) TOYSCOPE instrument.

* :mod:`.aeff_param` reads and writes TOYSCOPE's parametric effective-area HDU
  (``HDUCLAS4 = 'AEFF_PARAM'``), a class the gammabin core does not know;
* :mod:`.plugin` holds the hook implementations gammabin loads through the
  ``toyscope`` entry point.
"""
from .aeff_param import TELESCOPE, aeff_param_hdu, evaluate_aeff_param, read_aeff_param

__all__ = ["TELESCOPE", "aeff_param_hdu", "evaluate_aeff_param", "read_aeff_param"]
