from http import HTTPStatus

import pytest
import yaml
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROUTES = {
    "/": {"get"},
    "/api/": {"get", "post"},
    "/api/create/": {"post"},
    "/api/{id}/": {"get", "put", "patch", "delete"},
    "/api/{id}/watch/": {"post"},
    "/api/{id}/unwatch/": {"post"},
    "/api/watch/{id}/": {"get", "post"},
    "/api/auth/token/": {"post"},
    "/api/auth/token/revoke/": {"post"},
    "/api/auth/token/revoke-all/": {"post"},
}


@pytest.fixture
def schema(anon_client):
    response = anon_client.get(reverse("schema"))
    assert response.status_code == HTTPStatus.OK
    return yaml.safe_load(response.content)


def test_schema_describes_every_route(schema):
    assert schema["openapi"].startswith("3.")
    assert {path: set(ops) for path, ops in schema["paths"].items()} == ROUTES


def test_schema_documents_list_parameters_and_the_link_header(schema):
    operation = schema["paths"]["/api/"]["get"]

    names = {parameter["name"] for parameter in operation["parameters"]}
    assert names == {"is_watched", "search", "ordering", "page", "page_size"}
    response = operation["responses"]["200"]
    assert "Link" in response["headers"]
    reference = response["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/Movie"}}


def test_schema_accepts_a_timestamp_for_release_date_but_answers_a_date(schema):
    components = schema["components"]["schemas"]

    request_field = components["MovieRequest"]["properties"]["release_date"]
    assert {"type": "string", "format": "date"} in request_field["oneOf"]
    assert any(option["type"] == "number" for option in request_field["oneOf"])
    assert components["Movie"]["properties"]["release_date"] == {
        "type": "string",
        "format": "date",
    }


def test_schema_marks_server_managed_fields_read_only(schema):
    properties = schema["components"]["schemas"]["Movie"]["properties"]

    assert properties["id"]["readOnly"] is True
    assert properties["is_watched"]["readOnly"] is True
    assert properties["watched_at"]["readOnly"] is True
    assert "is_watched" not in schema["components"]["schemas"]["MovieRequest"]["properties"]


def test_docs_page_loads_swagger_ui_from_the_app_itself(anon_client):
    response = anon_client.get(reverse("swagger-ui"))

    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in content
    assert "https://" not in content
    asset = anon_client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css")
    assert asset.status_code == HTTPStatus.OK


def test_every_api_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert {"401", "405", "429", "503"} <= statuses, (path, method)
            if method in {"post", "put", "patch"} and "requestBody" in operation:
                assert {"400", "413", "415"} <= statuses, (path, method)
            if "{id}" in path:
                assert "404" in statuses, (path, method)
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
