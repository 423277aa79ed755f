"""Sphinx configuration: MyST Markdown pages, autodoc for the hook reference, and a
small local extension (``_ext/gammabin_docs.py``) that renders maker parameter
tables from the makers' attrs fields at build time."""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent / "framework"))  # works without an install too
sys.path.insert(1, str(HERE.parent / "plugins"))

project = "gammabin"
author = "gammabin developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "gammabin_docs"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "README.md"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
autodoc_typehints = "none"
napoleon_numpy_docstring = True
html_theme = "alabaster"
suppress_warnings = ["myst.header"]
