"""Map builders shared by the dataset makers (datasets-makers.md §2.2–2.4).

Each module computes plain float arrays first (``*_values``) and wraps them in maps in
the public ``make_*`` functions re-exported by :mod:`gammabin.makers.map_builders`."""
