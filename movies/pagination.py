"""Pagination that keeps the list body a bare JSON array, as the Flask API answered."""

from drf_spectacular.plumbing import build_parameter_type
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class LinkHeaderPagination(BasePagination):
    """`?page=N&page_size=M`, with the neighbouring pages in an RFC 8288 `Link` header.

    There is no COUNT(*): one row past the page says whether a next page exists, so every
    page costs one query whatever the size of the table.
    """

    page_size = 100
    max_page_size = 1000
    page_query_param = "page"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_number = self.read_positive_int(self.page_query_param, 1)
        size = min(
            self.read_positive_int(self.page_size_query_param, self.page_size), self.max_page_size
        )
        start = (self.page_number - 1) * size
        rows = list(queryset[start : start + size + 1])
        if not rows and self.page_number > 1:
            raise NotFound("Invalid page: past the last page.")
        self.has_next = len(rows) > size
        return rows[:size]

    def read_positive_int(self, name, default):
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            return default
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError({name: ["A positive integer is required."]})
        return int(raw)

    def get_paginated_response(self, data):
        links = []
        if self.has_next:
            links.append(f'<{self.page_url(self.page_number + 1)}>; rel="next"')
        if self.page_number > 1:
            links.append(f'<{self.page_url(self.page_number - 1)}>; rel="prev"')
        return Response(data, headers={"Link": ", ".join(links)} if links else None)

    def page_url(self, number):
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        return [
            build_parameter_type(
                name=self.page_query_param,
                schema={"type": "integer", "minimum": 1},
                location="query",
                description="Page number, from 1. The Link header points to the neighbours.",
            ),
            build_parameter_type(
                name=self.page_size_query_param,
                schema={"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                location="query",
                description=f"Films per page: {self.page_size} by default, "
                f"at most {self.max_page_size} (larger values are capped).",
            ),
        ]
