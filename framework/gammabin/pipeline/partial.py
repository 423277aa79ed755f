"""Partial sums of the tree reduction.

A partial holds *pieces*: datasets on windows of the reference geometry.  A leaf's
piece is one run's dataset as the makers returned it (counts not yet masked: it may
only be stacked *from*, never into).  Combining two partials concatenates their
pieces and merges two pieces whenever the window covering both is no larger than
the two windows together (they overlap or touch): runs of one sky region collapse
into one float32 sum on that region's window, while far-apart regions stay separate
pieces instead of one mostly empty bounding box — so a partial's size follows the
sky its runs cover, and combining distant targets costs nothing.  The parent stacks
the root's pieces into the reference.

Stacking (spec §1.4) is associative up to float32 round-off for every member (counts
and masks exactly, GTI union, livetime sums), which is what makes the tree equal to
the serial loop; the tree shape and every merge decision depend only on the
observation order and the geometries, never on the workers.
"""
import attrs
import numpy as np

from gammabin.irf.irf_map import insertion_slices

__all__ = ["Partial", "combine_partials", "fold_partials", "tree_groups", "tree_reduce", "tree_split", "tree_top",
           "window_geoms"]


@attrs.define
class Partial:
    pieces: list = attrs.Factory(list)  # [(dataset, is_sum)], in observation order of their first run
    obs_ids: list = attrs.Factory(list)
    reduced: list = attrs.Factory(list)
    reused: list = attrs.Factory(list)
    skipped: list = attrs.Factory(list)
    failures: list = attrs.Factory(list)

    @property
    def datasets(self):
        return [dataset for dataset, _ in self.pieces]


def _npix(geom):
    return tuple(int(np.ravel(n)[0]) for n in geom.npix)


def _span(parent_geom, child_geom):
    found = insertion_slices(parent_geom, child_geom)
    if found is None:
        return None
    (ys, xs), _ = found
    return xs.start, xs.stop, ys.start, ys.stop


def _window(geom, x0, x1, y0, y1):
    if (x0, y0) == (0, 0) and (x1, y1) == _npix(geom):
        return geom
    wcs = geom.wcs.deepcopy()
    wcs.wcs.crpix = wcs.wcs.crpix - [x0, y0]
    wcs.array_shape = (y1 - y0, x1 - x0)
    return geom.copy(wcs=wcs, npix=(x1 - x0, y1 - y0))


def _spatial(geom):
    return geom is not None and not getattr(geom, "is_region", False)


def window_geoms(reference_geoms, datasets):
    """Per reference geometry, the window covering every dataset's footprint."""
    out = {}
    for key, ref in reference_geoms.items():
        if not _spatial(ref):
            out[key] = ref
            continue
        spans = [s for s in (_span(ref, d.geoms[key]) for d in datasets if key in d.geoms) if s is not None]
        if not spans:
            out[key] = ref
            continue
        x0, x1 = min(s[0] for s in spans), max(s[1] for s in spans)
        y0, y1 = min(s[2] for s in spans), max(s[3] for s in spans)
        out[key] = _window(ref, x0, x1, y0, y1)
    return out


def _area(span):
    return (span[1] - span[0]) * (span[3] - span[2])


def _worth_merging(a, b, context):
    """Merge when the common window is no larger than both windows together."""
    ref = context.geoms.get("geom")
    if not _spatial(ref):
        return True
    sa, sb = _span(ref, a.geoms["geom"]), _span(ref, b.geoms["geom"])
    if sa is None or sb is None:
        return True
    union = (min(sa[0], sb[0]), max(sa[1], sb[1]), min(sa[2], sb[2]), max(sa[3], sb[3]))
    return _area(union) <= _area(sa) + _area(sb)


def _covers(dataset, geoms):
    return all(_spatial(g) and key in dataset.geoms and _npix(dataset.geoms[key]) == _npix(g)
               and _span(g, dataset.geoms[key]) == (0, _npix(g)[0], 0, _npix(g)[1])
               for key, g in geoms.items() if _spatial(g))


def _stack_pair(first, second, context):
    (a, a_is_sum), (b, _) = first, second
    geoms = window_geoms(context.geoms, [a, b])
    if a_is_sum and _covers(a, geoms):
        a.stack(b)  # in place: one float32 round trip less, no allocation
        return a, True
    receiver = context.dataset_class.from_geoms(**geoms, name="partial")
    receiver.stack(a)
    receiver.stack(b)
    return receiver, True


def _merge_pieces(pieces, context):
    """Greedy, order-preserving: the first mergeable pair (i < j) is stacked into i."""
    pieces = list(pieces)
    merged = True
    while merged:
        merged = False
        for i in range(len(pieces)):
            for j in range(i + 1, len(pieces)):
                if _worth_merging(pieces[i][0], pieces[j][0], context):
                    pieces[i] = _stack_pair(pieces[i], pieces[j], context)
                    del pieces[j]
                    merged = True
                    break
            if merged:
                break
    return pieces


def fold_partials(partials, context):
    """Several partials, in order, into one (the runs of one task; also a combine)."""
    out = Partial()
    for p in partials:
        out.pieces += p.pieces
        out.obs_ids += p.obs_ids
        out.reduced += p.reduced
        out.reused += p.reused
        out.skipped += p.skipped
        out.failures += p.failures
    if len(partials) > 1:
        out.pieces = _merge_pieces(out.pieces, context)
    return out


def combine_partials(left, right, context):
    """Pairwise combine of two partial sums (left before right in observation order)."""
    return fold_partials([left, right], context)


def tree_split(lo, hi):
    """Where the reduction tree splits the leaves ``[lo, hi)``: left half ``n // 2``."""
    return lo + (hi - lo) // 2


def tree_groups(n_leaves, width=1):
    """The leaf index ranges of the top level of the reduction tree: the leaves are
    halved recursively (:func:`tree_split`) while at most ``width`` groups result."""
    groups = [(0, n_leaves)] if n_leaves else []
    while len(groups) * 2 <= width and any(hi - lo > 1 for lo, hi in groups):
        groups = [part for lo, hi in groups
                  for part in (((lo, tree_split(lo, hi)), (tree_split(lo, hi), hi)) if hi - lo > 1 else ((lo, hi),))]
    return groups


def _halving(leaves, combine):
    if len(leaves) == 1:
        return leaves[0]
    mid = tree_split(0, len(leaves))
    return combine(_halving(leaves[:mid], combine), _halving(leaves[mid:], combine))


def tree_top(leaves, combine, width=1):
    """Balanced binary tree over ``leaves`` in their order, by recursive halving, up to
    its top level of at most ``width`` nodes, returned as a list in order.  The shape
    depends only on ``len(leaves)``, so the result is the same bit for bit whatever the
    number of workers or the order in which leaves complete; and each subtree covers a
    contiguous range of leaves (what lets workers own whole subtrees)."""
    leaves = list(leaves)
    return [_halving(leaves[lo:hi], combine) for lo, hi in tree_groups(len(leaves), width)]


def tree_reduce(leaves, combine):
    """The root of :func:`tree_top` (None without leaves)."""
    top = tree_top(leaves, combine, 1)
    return top[0] if top else None
