import re
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
    "/api/import/": {"post"},
    "/api/export/": {"get"},
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

    query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert query == {"is_watched", "search", "ordering", "page", "page_size"}
    response = operation["responses"]["200"]
    assert "Link" in response["headers"]
    reference = response["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert body == {"type": "array", "items": {"$ref": "#/components/schemas/Movie"}}


def test_schema_accepts_a_timestamp_for_release_date_but_answers_a_date(schema):
    components = schema["components"]["schemas"]

    request_field = components["MovieRequest"]["properties"]["release_date"]
    # Null is one of the choices: OpenAPI 3.0 reads `nullable` beside a `type` only.
    assert "nullable" not in request_field
    assert {"type": "string", "format": "date", "nullable": True} in request_field["oneOf"]
    assert any(option["type"] == "number" for option in request_field["oneOf"])
    assert components["Movie"]["properties"]["release_date"] == {
        "type": "string",
        "format": "date",
        "nullable": True,
        "description": "Null for a film known only by its year. Give it or release_year.",
    }
    timestamp = next(option for option in request_field["oneOf"] if option["type"] == "number")
    assert timestamp["minimum"] == 10_000  # below, a number is taken for a year


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
    for path, method, operation in operations(schema):
        statuses = set(operation["responses"])
        assert "406" in statuses, (path, method)
        if not path.startswith("/api/"):
            continue
        assert {"405", "429", "503"} <= statuses, (path, method)
        if path != "/api/auth/token/":  # it takes no credentials, so refuses none
            assert "401" in statuses, (path, method)
        if method in {"post", "put", "patch"} and "requestBody" in operation:
            assert {"400", "413", "415"} <= statuses, (path, method)
        if "{id}" in path:
            assert "404" in statuses, (path, method)
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_request_bodies_are_json_only(schema):
    """One media type per body: generators fail on JSON, form and multipart sharing one
    schema (and the Flask route's forms are described in words). Files go to the import as
    multipart, its only media type."""
    bodies = {
        (path, method): set(operation["requestBody"]["content"])
        for path, method, operation in operations(schema)
        if "requestBody" in operation
    }

    assert set(bodies) == {
        ("/api/", "post"),
        ("/api/create/", "post"),
        ("/api/{id}/", "put"),
        ("/api/{id}/", "patch"),
        ("/api/auth/token/", "post"),
        ("/api/import/", "post"),
    }
    assert bodies.pop(("/api/import/", "post")) == {"multipart/form-data"}
    assert all(media == {"application/json"} for media in bodies.values())
    assert "form" in schema["paths"]["/api/create/"]["post"]["description"]


def test_reads_and_the_token_endpoint_need_no_credentials(schema):
    security = {(p, m): o.get("security") for p, m, o in operations(schema)}

    for public in [("/", "get"), ("/api/", "get"), ("/api/{id}/", "get")]:
        assert security[public] == [], public
    assert security[("/api/auth/token/", "post")] == []
    assert security[("/api/", "post")] == [{"tokenAuth": []}, {"cookieAuth": []}]
    assert security[("/api/{id}/", "delete")] == [{"tokenAuth": []}, {"cookieAuth": []}]
    # A browser session's GET there is refused (403): only a token may watch by GET.
    assert security[("/api/watch/{id}/", "get")] == [{"tokenAuth": []}]
    assert security[("/api/watch/{id}/", "post")] == [{"tokenAuth": []}, {"cookieAuth": []}]


def test_film_ids_in_paths_are_integers(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["name"] == "id", (path, method)
                assert parameter["schema"]["type"] == "integer", (path, method)
                assert parameter["schema"]["minimum"] == 1


def test_ordering_is_an_array_of_known_fields(schema):
    ordering = next(
        p for p in schema["paths"]["/api/"]["get"]["parameters"] if p["name"] == "ordering"
    )

    assert ordering["schema"]["type"] == "array"
    assert set(ordering["schema"]["items"]["enum"]) == {
        f"{sign}{field}"
        for sign in ("", "-")
        for field in ("id", "title", "release_date", "watched_at")
    }
    assert "repeated" in ordering["description"]


def test_reads_document_their_etag_and_the_304(schema):
    for path in ("/", "/api/", "/api/{id}/"):
        operation = schema["paths"][path]["get"]

        assert {"ETag", "Cache-Control"} <= set(operation["responses"]["200"]["headers"])
        assert "content" not in operation["responses"]["304"]
        assert any(p["name"] == "If-None-Match" for p in operation["parameters"])
    # The Flask app's watch route changes state on GET: it is no read to revalidate.
    assert "304" not in schema["paths"]["/api/watch/{id}/"]["get"]["responses"]


def test_creating_documents_the_location_header(schema):
    for path in ("/api/", "/api/create/"):
        created = schema["paths"][path]["post"]["responses"]["201"]

        assert "Location" in created["headers"]


def test_schema_names_its_server_and_the_rules_of_every_operation(schema):
    assert schema["servers"] == [{"url": "/", "description": "The server that serves this schema"}]
    description = schema["info"]["description"]
    assert "308 Permanent Redirect" in description
    assert "If-None-Match" in description
    assert "Accept-Encoding: gzip" in description


def test_every_operation_has_a_summary_and_its_own_id(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]

    assert len(ids) == len(set(ids))
    assert all(operation.get("summary") for _, _, operation in operations(schema))


# What a reader of the docs has no use for: how the code is built or why it is fast.
INTERNAL = re.compile(
    r"ModelSerializer|introspect|instantiation|orjson|middleware|queryset|docstring"
    r"|GET /` keys|\b(movies|watchlist)\.[a-z_]+",  # a module's dotted name
    re.IGNORECASE,
)


def texts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"description", "summary", "title"} and isinstance(value, str):
                yield value
            yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def test_schema_text_is_written_for_users(schema):
    found = [text for text in texts(schema) if INTERNAL.search(text)]

    assert found == []
    assert schema["components"]["schemas"]["Movie"]["description"] == (
        "A film on the watchlist. Its watched state changes only by watching or unwatching it."
        "\n\nA film has a release date, or only a release year when that is all that is known."
    )
