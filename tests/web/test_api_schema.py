"""The API's OpenAPI document: well formed, its examples and the real responses match it, and
(when schemathesis is installed) generated requests never get a 5xx or an unhandled error."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from assistant.web.api import ApiSettings, ApiToken
from assistant.web.app import build_app

TOKEN = "s3cret-token-for-the-intranet"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUESTION = "À quelle fréquence se réunit le comité de pilotage IA ?"

ROUTES = {"/api/v1/ask": {"post"}, "/api/v1/feedback": {"post"}, "/api/v1/documents": {"get"}, "/api/v1/health": {"get"}}


@pytest.fixture
def app(web_services: Any) -> Any:
    token = ApiToken(name="schema-test", sha256=hashlib.sha256(TOKEN.encode()).hexdigest())
    api = ApiSettings(tokens=[token], rate_limit_per_minute=100_000)
    web_services.settings.api = api
    return build_app(web_services)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for one schema of the document, its $refs resolved against the document."""
    return Draft202012Validator({**copy.deepcopy(schema), "components": document.get("components", {})})


def response_schema(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    return document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]


def test_the_document_describes_exactly_the_public_routes(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] == "Garant API" and document["info"]["version"] == "1"
    assert {path: set(ops) for path, ops in document["paths"].items()} == ROUTES
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "security" not in document["paths"]["/api/v1/health"]["get"]
    for path in ("/api/v1/ask", "/api/v1/feedback", "/api/v1/documents"):
        [(method, operation)] = document["paths"][path].items()
        assert operation["security"] == [{"bearer": []}]
        assert {"401", "403", "429"} | ({"413", "422"} if method == "post" else set()) <= set(operation["responses"])
    assert {"200", "503"} <= set(document["paths"]["/api/v1/health"]["get"]["responses"])


def test_every_schema_is_valid_json_schema_and_every_example_matches_its_schema(document: dict[str, Any]) -> None:
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    checked = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                target = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
                for example in target.get("examples", []):
                    validator(document, body).validate(example)
                    checked += 1
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                if "example" in content and "schema" in content:
                    errors = list(validator(document, content["schema"]).iter_errors(content["example"]))
                    assert not errors, f"{method} {path} {status}: {errors[0].message}"
                    checked += 1
    assert checked >= 12


def test_real_responses_match_the_document(client: TestClient, document: dict[str, Any]) -> None:
    answer = client.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH)
    validator(document, response_schema(document, "/api/v1/ask", "post", 200)).validate(answer.json())
    refused = client.post("/api/v1/ask", json={"question": "Quelle est la couleur du ciel sur Mars ?"}, headers=AUTH)
    validator(document, response_schema(document, "/api/v1/ask", "post", 200)).validate(refused.json())
    too_long = client.post("/api/v1/ask", json={"question": "x" * 10_000}, headers=AUTH)
    validator(document, response_schema(document, "/api/v1/ask", "post", 400)).validate(too_long.json())
    feedback = client.post("/api/v1/feedback", json={"answer_id": answer.json()["id"], "rating": 1}, headers=AUTH)
    validator(document, response_schema(document, "/api/v1/feedback", "post", 202)).validate(feedback.json())
    documents = client.get("/api/v1/documents", headers=AUTH)
    validator(document, response_schema(document, "/api/v1/documents", "get", 200)).validate(documents.json())
    health = client.get("/api/v1/health")
    validator(document, response_schema(document, "/api/v1/health", "get", 200)).validate(health.json())


def test_generated_requests_never_get_a_server_error(app: Any) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == set(ROUTES)
    for operation in operations:
        modes = [schemathesis.GenerationMode.POSITIVE]
        if operation.method.upper() == "POST":  # only the POST routes take input that can be made invalid
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=25, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            def no_server_error(case: Any) -> None:
                # An unhandled exception in the app propagates here (the ASGI client raises it).
                case.call_and_validate(headers=AUTH, checks=checks)

            no_server_error()
