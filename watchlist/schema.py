"""What the OpenAPI schema says beyond what drf-spectacular infers from the views: the error
answers every operation can give, and the HTTP rules that every operation follows."""

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
MAX_ID = 2**63 - 1  # a larger id names no film (404)


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook, after its enum hook."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for path, method, operation in operations(result):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                # An empty value means "not given", as an HTML filter form sends it.
                parameter["allowEmptyValue"] = True
                if parameter["schema"].get("type") == "string":
                    parameter["schema"]["pattern"] = NO_NUL
        for status, schema, why in expected_errors(path, method, operation):
            operation["responses"].setdefault(status, answer(schema, why))
    return result


def operations(result):
    for path, methods in result["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def expected_errors(path, method, operation):
    has_body = "requestBody" in operation
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    changes_state = method in WRITES or "/watch/" in path
    security = operation.get("security", [])
    takes_credentials = any(requirement for requirement in security)
    is_api = path.startswith(reverse("movie-list"))
    if has_body or has_query:
        yield "400", "ValidationError", "Invalid input; nothing was changed."
    if takes_credentials and {} in security:
        yield "401", "Error", "Invalid credentials: none are needed, but a token sent is checked."
    elif takes_credentials:
        yield "401", "Error", "Missing or invalid credentials."
    if changes_state and takes_credentials:
        yield "403", "Error", "Not allowed (a session write without its CSRF token, say)."
    if "{id}" in path or has_query:
        yield "404", "Error", "No such film, or a page past the last."
    yield "405", "Error", "Method not allowed; the Allow header lists the others."
    yield "406", "Error", "The Accept header allows none of the answer's media types (JSON)."
    if has_body:
        yield "413", "Error", "Request body too large."
        yield "415", "Error", "Unsupported body media type (send JSON)."
    if is_api:
        yield "429", "Error", "Too many requests; retry after the Retry-After header's seconds."
        yield "503", "Error", "The database is unavailable; retry after Retry-After."


def answer(schema, description):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


# Appended to the schema's description: the rules that every operation follows.
HTTP_RULES = """

**Reads are public.** Adding, changing and deleting films needs a user: send
`Authorization: Token <token>` (get it from `POST /api/auth/token/`), or use a signed-in
browser session with its CSRF token.

**Bodies are JSON** (`Content-Type: application/json`). The Flask app's route
`POST /api/create/` also takes its form fields, form-encoded or multipart.

**Every URL ends with a slash.** Without it, the answer is `308 Permanent Redirect` to
the URL with the slash, which clients follow with the same method and body.

**Conditional requests.** Every read answers an `ETag` and `Cache-Control: no-cache`:
keep the answer, and send its ETag back in `If-None-Match` to get `304 Not Modified`,
with no body, for as long as nothing changed. Any change to a film changes the ETag at once.

**Compression.** Answers of 200 bytes or more are gzipped for clients that send
`Accept-Encoding: gzip`.

**Errors** are JSON: `{"detail": "..."}`, or a list of messages for each invalid field.
"""

ETAG = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "Names this answer's content; send it in If-None-Match to revalidate.",
    },
    "Cache-Control": {
        "schema": {"type": "string"},
        "description": "`no-cache`: keep the answer, but revalidate it before each use.",
    },
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "schema": {"type": "string"},
    "description": "The ETag of an answer you kept: 304 with no body if it is still current.",
}
NOT_MODIFIED = {"description": "Not modified: the answer you kept (its ETag) is current."}
# A GET that changes state answers no 304: it is not a read (the Flask app's watch route).
NOT_READS = {"/api/watch/{id}/"}


def describe_http(result, generator, request, public):
    """drf-spectacular postprocessing hook: the HTTP rules of every operation, as data."""
    result["info"]["description"] = result["info"].get("description", "") + HTTP_RULES
    for path, method, operation in operations(result):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"] == "id":
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if parameter["name"] == "ordering":
                name_sort_orders(parameter["schema"]["items"])
        if {} in operation.get("security", []):
            # No credentials needed. (A token sent anyway is checked, hence a possible 401;
            # but `[{}, {"tokenAuth": []}]`, "optional", makes generators require a token.)
            operation["security"] = []
        if method == "get" and path not in NOT_READS:
            operation.setdefault("parameters", []).append(IF_NONE_MATCH)
            ok = operation["responses"]["200"]
            ok["headers"] = {**ok.get("headers", {}), **ETAG}
            operation["responses"]["304"] = NOT_MODIFIED
    for component in result.get("components", {}).get("schemas", {}).values():
        for field in component.get("properties", {}).values():
            null_in_each_choice(field)
    return result


def null_in_each_choice(field):
    """OpenAPI 3.0 reads `nullable` only beside a `type`: a field that takes one of several
    types, or null, says so in each choice (drf-spectacular puts it beside the `oneOf`)."""
    if "oneOf" in field and field.pop("nullable", False):
        for choice in field["oneOf"]:
            choice["nullable"] = True


def name_sort_orders(enum_schema):
    """Names for the sort orders in generated code (`TITLE_DESC` for `-title`), where a
    generator would otherwise number the ones it cannot spell (`VALUE_2`)."""
    enum_schema["x-enum-varnames"] = [
        value.lstrip("-").upper() + ("_DESC" if value.startswith("-") else "")
        for value in enum_schema["enum"]
    ]
