"""``gammabin simulate OUT``: a GADF data store of the built-in Crab-like scene
(:func:`gammabin.simulate.simulate_runs`): n runs (wobbles cycled), a livetime or a
number of expected events per run, a seed."""
import sys

__all__ = ["SimulateCommand"]


class SimulateCommand:
    name = "simulate"
    help = "simulate a data store of the built-in Crab-like scene (no download needed)"

    def add_arguments(self, parser):
        parser.add_argument("out", help="output folder for the data store")
        parser.add_argument("--runs", type=int, default=4, help="number of runs (default 4)")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--livetime", type=float, help="livetime per run in s (default 600)")
        group.add_argument("--events", type=float, help="expected events per run (sets the livetime)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
        parser.add_argument("--wobble", type=float, default=0.5, help="wobble offset in deg (default 0.5)")
        parser.add_argument("--overwrite", action="store_true", help="replace an existing data store")

    def run(self, args):
        from ..simulate import crab_like_scene, simulate_runs

        scene = crab_like_scene(n_runs=args.runs, livetime=args.livetime or 600.0, wobble_offset=args.wobble)
        try:
            store = simulate_runs(args.out, args.runs, events_per_run=args.events, scene=scene, seed=args.seed,
                                  overwrite=args.overwrite)
        except FileExistsError as exc:
            print(f"gammabin simulate: error: {exc}", file=sys.stderr)
            return 2
        table = store.obs_table
        n_events = int(sum(table["EVENT_COUNT"])) if "EVENT_COUNT" in table.colnames else None
        print(f"simulated {len(table)} run(s) of {scene.name} into {args.out}"
              + (f": {n_events} events" if n_events is not None else "")
              + f", livetime {float(sum(table['LIVETIME'])):.0f} s (seed {args.seed})")
        return 0
