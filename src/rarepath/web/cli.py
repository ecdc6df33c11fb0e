"""`rarepath serve`: the registry's web app on uvicorn, seeded with a demo team on first start."""

from __future__ import annotations

import typer


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    db: str | None = typer.Option(None, "--db", help="Registry database: SQLite file or postgresql:// URL "
                                  "(default $RAREPATH_REGISTRY_URL, else $RAREPATH_HOME/registry.sqlite)."),
    demo: bool = typer.Option(True, "--demo/--no-demo", help="Seed demo users and the example cases when the "
                              "registry has no user yet."),
) -> None:
    """Start the web app and REST API (OpenAPI schema at /docs); prints the URL and demo logins."""
    import uvicorn

    from rarepath.registry.db import open_registry
    from rarepath.web.app import create_app
    from rarepath.web.seed import demo_logins, seed_demo

    registry = open_registry(db)
    if demo and seed_demo(registry):
        typer.echo("seeded the demo team and the example cases")
    typer.echo(f"registry: {registry.location} ({registry.backend})")
    typer.echo(f"rarepath registry at http://{host}:{port}/  (API schema: http://{host}:{port}/docs)")
    logins = demo_logins(registry) if demo else []
    for u in logins:
        typer.echo(f"  demo login: {u.username} / {u.password}  ({u.role.value})")
    if logins and host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo("warning: demo passwords on a non-loopback address; change them or use --no-demo", err=True)
    typer.echo("decision support, not medical advice")
    uvicorn.run(create_app(registry=registry), host=host, port=port, log_level="warning")
