"""drf-spectacular's internals (pinned by watchlist/tests/test_internals.py).

- `AutoSchema._map_serializer_field(field, direction, bypass_extensions=True)`: the schema
  drf-spectacular itself makes of a serializer field, which an extension for a field class
  then amends (`default_field_schema`): the title's `pattern`, for instance, added to what
  drf-spectacular writes for a `CharField`. Extensions offer no public way to get it.
"""


def default_field_schema(auto_schema, field, direction):
    """The schema drf-spectacular makes of `field` without the project's extensions."""
    return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
