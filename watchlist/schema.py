"""Error answers in the OpenAPI schema: every status the API can give, on each operation."""

from django.urls import reverse

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "A list of messages per invalid field or parameter, or a `detail` message.",
    "additionalProperties": True,
}
WRITES = {"post", "put", "patch", "delete"}
NO_NUL = r"^[^\x00]*$"  # NUL is refused in any parameter (and cannot be stored)


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook, after its enum hook."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for path, operations in result["paths"].items():
        if not path.startswith(reverse("movie-list")) or path == reverse("schema"):
            continue
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    # An empty value means "not given", as an HTML filter form sends it.
                    parameter["allowEmptyValue"] = True
                    if parameter["schema"].get("type") == "string":
                        parameter["schema"]["pattern"] = NO_NUL
            for status, schema, why in expected_errors(path, method, operation):
                operation["responses"].setdefault(status, answer(schema, why))
    return result


def expected_errors(path, method, operation):
    has_body = "requestBody" in operation
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    changes_state = method in WRITES or "/watch/" in path
    if has_body or has_query or changes_state:
        yield "400", "ValidationError", "Invalid input; nothing was changed."
    yield "401", "Error", "Missing or invalid credentials."
    if changes_state:
        yield "403", "Error", "Not allowed (a session write without its CSRF token, say)."
    if "{id}" in path or has_query:
        yield "404", "Error", "No such film, or a page past the last."
    yield "405", "Error", "Method not allowed; the Allow header lists the others."
    if has_body:
        yield "413", "Error", "Request body too large."
        yield "415", "Error", "Unsupported body media type."
    yield "429", "Error", "Too many requests; retry after the Retry-After header's seconds."
    yield "503", "Error", "The database is unavailable; retry after Retry-After."


def answer(schema, description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
