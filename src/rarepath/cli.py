"""The `rarepath` command: a thin shell over the core API.

Sub-commands live beside their domain (`design/cli.py`, `screens/cli.py`, `knowledge/cli.py`) and
import heavy libraries inside their functions so that `rarepath --help` starts fast.
Every RarepathError becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from rarepath.errors import RarepathError

app = typer.Typer(
    name="rarepath",
    help="Rare-disease treatment paths: explained therapy ranking, reagent design, screen analysis. "
    "Decision support, not medical advice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        from rarepath import __version__

        typer.echo(f"rarepath {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                 help="Print the rarepath version and exit."),
) -> None:
    """Rare-disease treatment paths: explained therapy ranking, reagent design, screen analysis.

    Decision support, not medical advice.
    """


def _register() -> None:
    from rarepath.cohort.cli import app as cohort_app
    from rarepath.design.cli import app as design_app
    from rarepath.design.cli import index_command
    from rarepath.knowledge.cli import app as kb_app
    from rarepath.registry.cli import app as registry_app
    from rarepath.registry.cli import audit_app
    from rarepath.screens.cli import app as screen_app
    from rarepath.triage.cli import assess_command
    from rarepath.trials.cli import app as trials_app
    from rarepath.web.cli import serve_command

    app.command("assess")(assess_command)
    app.command("index")(index_command)
    app.add_typer(kb_app, name="kb")
    app.add_typer(design_app, name="design")
    app.add_typer(screen_app, name="screen")
    app.add_typer(cohort_app, name="cohort")
    app.add_typer(trials_app, name="trials")
    app.add_typer(registry_app, name="registry")
    app.add_typer(audit_app, name="audit")
    app.command("serve")(serve_command)


_register()

#: What a switch shows in `--help` instead of typer's `<bool>`: it takes no value.
FLAG_METAVAR = "flag"


def _label_switches(cmd: Any) -> None:
    """Show switches (flags and `--help`) as `flag`, not typer's `<bool>`: they take no value."""
    for p in cmd.params:
        if getattr(p, "is_flag", False):
            p.metavar = FLAG_METAVAR
    original = cmd.get_help_option

    def help_option(ctx: Any, _original: Any = original) -> Any:
        opt = _original(ctx)
        if opt is not None:
            opt.metavar = FLAG_METAVAR
        return opt

    cmd.get_help_option = help_option
    for sub in (getattr(cmd, "commands", None) or {}).values():
        _label_switches(sub)


def command() -> Any:
    """The command tree of the app (typer builds it with its vendored click), switches labelled as such."""
    cmd = typer.main.get_command(app)
    _label_switches(cmd)
    return cmd


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input, with a one-line message)."""
    try:
        code = command().main(args=argv, prog_name="rarepath", standalone_mode=False)
        if code == 130:  # typer turns Ctrl-C into Exit(130) and, not standalone, returns the code
            print("rarepath: interrupted", file=sys.stderr)
            return 130
    except RarepathError as err:
        print(f"rarepath: error: {err.one_line()}", file=sys.stderr)
        return err.exit_code
    except typer.Exit as ex:  # raised by --help and explicit exits
        return ex.exit_code
    except SystemExit as ex:
        return int(ex.code or 0)
    except KeyboardInterrupt:
        print("rarepath: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # click usage errors and anything unexpected: one line, no traceback
        # Usage errors (click's, or typer's vendored copy) carry format_message and an exit code.
        if hasattr(err, "format_message"):
            if not err.format_message():  # no-args help was already printed
                return 2
            print(f"rarepath: error: {err.format_message()}", file=sys.stderr)
            return 2
        if type(err).__name__ == "Abort":
            return 1
        print(f"rarepath: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
