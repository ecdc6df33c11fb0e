"""Dependencies of every route: the database session of the request and the user making it.

The session commits when the route function returns, before the response is sent (scope "function"),
so a client never sees success for a write that was not committed. The user comes from a bearer token
(`POST /api/token`, OAuth2 password flow) or from the session cookie set by the login page; a cookie-
authenticated request that changes data must also carry the session's CSRF token (form field
`csrf_token` or header `X-CSRF-Token`), which a cross-site page cannot read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from rarepath.registry.access import Actor
from rarepath.registry.models import AuthSession, Role, User
from rarepath.registry.security import token_digest
from rarepath.registry.service import actor_for

COOKIE = "rarepath_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_HOURS = 12
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


#: Requests holding a database session at once. SQLite has one writer, and every request writes (reads are
#: audited), so requests queue here, waiting without a worker thread, instead of piling up on the file lock
#: (where, with every worker thread blocked, the request holding the lock could not get a thread to finish).
#: On PostgreSQL the gate stays below the worker threads (40) and the engine's connection pool (15).
GATE = {"sqlite": 1, "postgresql": 10}


def session_gate(app: object) -> asyncio.Semaphore:
    state = app.state
    if getattr(state, "session_gate", None) is None:
        state.session_gate = asyncio.Semaphore(GATE.get(state.registry.backend, 10))
    return state.session_gate


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session: committed when the route returns, before the response; rolled back on error."""
    async with session_gate(request.app):
        session = request.app.state.registry.sessions()
        try:
            yield session
            await run_in_threadpool(session.commit)
        except BaseException:
            await run_in_threadpool(session.rollback)
            raise
        finally:
            await run_in_threadpool(session.close)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def login_session(session: Session, token: str | None) -> AuthSession | None:
    """The live login for `token` (expired or unknown: None)."""
    if not token:
        return None
    row = session.scalar(select(AuthSession).where(AuthSession.token_sha256 == token_digest(token)))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires < dt.datetime.now(dt.UTC) or not row.user.active:
        return None
    return row


def _authenticate(request: Request, session: Session, bearer: str | None) -> tuple[AuthSession, bool]:
    """(login, via_cookie) or 401."""
    row = login_session(session, bearer)
    if row is not None:
        return row, False
    row = login_session(session, request.cookies.get(COOKIE))
    if row is not None:
        return row, True
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not logged in", headers={"WWW-Authenticate": "Bearer"})


async def _csrf_from_form(request: Request) -> str | None:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else None
    return None


async def csrf_token_of(request: Request) -> str | None:
    return request.headers.get(CSRF_HEADER) or await _csrf_from_form(request)


def current_login(request: Request, session: SessionDep,
                  bearer: Annotated[str | None, Depends(oauth2)]) -> AuthSession:
    row, via_cookie = _authenticate(request, session, bearer)
    request.state.via_cookie = via_cookie
    return row


async def check_csrf(request: Request, login: Annotated[AuthSession, Depends(current_login)]) -> AuthSession:
    """Cookie-authenticated writes must echo the session's CSRF token."""
    if getattr(request.state, "via_cookie", False) and request.method in UNSAFE:
        sent = await csrf_token_of(request)
        if not sent or not hmac.compare_digest(sent, login.csrf):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
    return login


def current_actor(login: Annotated[AuthSession, Depends(check_csrf)]) -> Actor:
    return actor_for(login.user)


CurrentActor = Annotated[Actor, Depends(current_actor)]
CurrentLogin = Annotated[AuthSession, Depends(check_csrf)]


def deny(actor: Actor, *roles: Role) -> None:
    """403 for the roles listed (e.g. families may not read raw assessments)."""
    if actor.role in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"not allowed for the {actor.role.value} role")


def user_of(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))
