"""The ``gammabin`` command: sub-commands are small modules here, plus any a plugin
adds through ``gammabin_register_commands``."""
import argparse
import sys

from .. import __version__

__all__ = ["main", "build_parser"]


def _builtin_commands():
    from . import demo, info, plugins_cmd, reduce, simulate_cmd

    return [reduce.ReduceCommand(), demo.DemoCommand(), info.InfoCommand(), simulate_cmd.SimulateCommand(),
            demo.SeedChainCommand(), plugins_cmd.PluginsCommand()]


def _plugin_commands():
    from .. import plugins

    pm = plugins.get_plugin_manager()
    commands = []
    for impl in pm.hook.gammabin_register_commands.get_hookimpls():
        try:
            commands.extend(impl.function() or ())
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break the CLI
            print(f"gammabin: plugin {impl.plugin_name!r} failed to register commands: {exc}",
                  file=sys.stderr)
    return commands


def build_parser(commands):
    parser = argparse.ArgumentParser(prog="gammabin", description="IACT DL3 data reduction")
    parser.add_argument("--version", action="version", version=f"gammabin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in commands:
        sub_parser = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(sub_parser)
        sub_parser.set_defaults(_command=command)
    return parser


def main(argv=None):
    commands = _builtin_commands()
    names = {c.name for c in commands}
    commands += [c for c in _plugin_commands() if c.name not in names]
    parser = build_parser(commands)
    args = parser.parse_args(argv)
    if getattr(args, "_command", None) is None:
        parser.print_help()
        return 2
    return args._command.run(args) or 0
