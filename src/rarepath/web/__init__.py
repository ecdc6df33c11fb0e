"""The web app: a REST API with OpenAPI schema and server-rendered pages over the registry (FastAPI).

`rarepath serve` starts it; `create_app(db)` builds it for tests or another ASGI server. Every data
route needs a login (bearer token from `POST /api/token`, or the cookie of the login page); only
`/login`, `/api/health`, `/openapi.json` and `/docs` answer without one.
"""
