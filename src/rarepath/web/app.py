"""The FastAPI application: REST API (/api), server-rendered pages (/), one registry per app.

Errors keep the registry's one-line messages: bad input 422, not allowed 403, not found 404; an
unexpected failure is logged and answered 500 without a traceback in the body.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import DataError

from rarepath import __version__
from rarepath.errors import InputError, RarepathError
from rarepath.registry.access import Forbidden, NotFound
from rarepath.registry.db import Registry, open_registry

log = logging.getLogger("rarepath.web")


def _status(err: RarepathError) -> int:
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, InputError):
        return 422
    return 409  # a registry rule refused the change (e.g. a decision before any assessment)


def create_app(db: str | Path | None = None, registry: Registry | None = None) -> FastAPI:
    """The app on `registry`, or on the registry at `db` (default as for `rarepath registry`)."""
    from rarepath.web import api, pages

    app = FastAPI(title="rarepath registry", version=__version__,
                  description="Cases, assessments, decisions, disease models, screens, treatments and long-term "
                              "follow-up of rare-disease genetic therapy. Decision support, not medical advice.")
    app.state.registry = registry or open_registry(db)

    @app.exception_handler(RarepathError)
    async def _registry_error(request: Request, err: RarepathError):
        code = _status(err)
        if pages.wants_html(request):
            return pages.error_page(request, code, err.one_line())
        return JSONResponse({"detail": err.one_line()}, status_code=code)

    @app.exception_handler(pages.NotLoggedIn)
    async def _login(request: Request, err: pages.NotLoggedIn):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, err: DataError):
        message = f"a value cannot be stored ({str(getattr(err, 'orig', err)).splitlines()[0]})"
        if pages.wants_html(request):
            return pages.error_page(request, 422, message)
        return JSONResponse({"detail": message}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in err.errors())
        if pages.wants_html(request):
            return pages.error_page(request, 422, problems)
        return JSONResponse({"detail": problems}, status_code=422)

    app.include_router(api.router)
    app.include_router(pages.router)
    return app
