"""Schemathesis generates requests from the OpenAPI schema for every operation: none gets a server error (500)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from rarepath.web.app import create_app
from rarepath.web.seed import seed_demo


@pytest.fixture
def app(registry):
    """The app on a seeded registry, on SQLite and on PostgreSQL (the `registry` fixture)."""
    seed_demo(registry)
    return create_app(registry=registry)


@pytest.fixture
def admin_headers(app) -> dict[str, str]:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        token = client.post("/api/token", data={"username": "admin", "password": "demo-admin"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


@pytest.mark.slow
def test_no_operation_answers_with_a_server_error(app, admin_headers: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    statuses: list[int] = []
    for operation in operations:
        if operation.path == "/api/logout":
            continue  # would end the shared login for the operations after it

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:
            response = case.call_and_validate(headers=admin_headers, checks=[not_a_server_error])
            statuses.append(response.status_code)

        check()
    assert len(statuses) >= 3 * len(operations)  # really exercised, not only collected
    assert any(200 <= s < 300 for s in statuses) and any(400 <= s < 500 for s in statuses)
