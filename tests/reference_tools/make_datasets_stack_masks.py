"""Expected IRF stacking weights (``mask_safe_psf``, ``mask_safe_edisp``) computed by
gammapy 2.1 on the gammapy-written reference datasets, for
tests/datasets/test_datasets_stacking.py.  Run with the gammapy venv:

    <gammapy-venv>/bin/python tests/reference_tools/make_datasets_stack_masks.py ../shared/reference

Writes tests/expected/datasets_stack_masks.json.
"""
import json
import sys
from pathlib import Path

import numpy as np
from gammapy.datasets import MapDataset

FILES = ["V1/obs_23523", "V1/obs_23592", "V2/obs_23523", "V2/obs_23526", "V8/stacked_gc"]


def main(reference):
    out = {}
    for name in FILES:
        ds = MapDataset.read(Path(reference) / f"{name}.fits.gz")
        psf = np.asarray(ds.mask_safe_psf.data, bool)
        edisp = np.asarray(ds.mask_safe_edisp.data, bool)
        out[name] = {
            "psf_shape": list(psf.shape),
            "psf": np.packbits(psf.ravel()).tolist(),
            "edisp_shape": list(edisp.shape),
            "edisp": np.packbits(edisp.ravel()).tolist(),
            "psf_true": int(psf.sum()),
            "edisp_true": int(edisp.sum()),
        }
    target = Path(__file__).resolve().parents[1] / "expected" / "datasets_stack_masks.json"
    target.write_text(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")
