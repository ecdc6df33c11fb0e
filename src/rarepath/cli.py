"""The `rarepath` command: a thin shell over the core API.

Sub-commands live beside their domain (`design/cli.py`, `screens/cli.py`, `knowledge/cli.py`) and
import heavy libraries inside their functions so that `rarepath --help` starts fast.
Every RarepathError becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

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


def _register() -> None:
    from rarepath.design.cli import app as design_app
    from rarepath.design.cli import index_command
    from rarepath.knowledge.cli import app as kb_app
    from rarepath.registry.cli import app as registry_app
    from rarepath.registry.cli import audit_app
    from rarepath.screens.cli import app as screen_app
    from rarepath.triage.cli import assess_command
    from rarepath.web.cli import serve_command

    app.command("assess")(assess_command)
    app.command("index")(index_command)
    app.add_typer(kb_app, name="kb")
    app.add_typer(design_app, name="design")
    app.add_typer(screen_app, name="screen")
    app.add_typer(registry_app, name="registry")
    app.add_typer(audit_app, name="audit")
    app.command("serve")(serve_command)


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input, with a one-line message)."""
    try:
        app(args=argv, standalone_mode=False)
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
