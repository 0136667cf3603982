"""Pagination that keeps the list body a bare JSON array, as the Flask API answered."""

from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.plumbing import build_parameter_type
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE, PAGE_SIZE = "page", "page_size"
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000
MAX_OFFSET = 2**63 - 1  # the largest OFFSET that SQLite and PostgreSQL accept
MAX_OFFSET_DIGITS = len(str(MAX_OFFSET))
PAST_THE_END = _("Invalid page: past the last page.")


@dataclass(frozen=True)
class PageWindow:
    """Which rows a `?page=N&page_size=M` request asks for, and the links around them.

    There is no COUNT(*): the query fetches one row past the page (`fetch`) and that row
    says whether a next page exists, so every page costs one query at any table size.
    """

    number: int
    size: int

    @classmethod
    def from_query(cls, query):
        """Read the page from query parameters: ValidationError if malformed, NotFound if
        the page starts past any possible row (an offset no database column can hold)."""
        size = min(positive_int(query, PAGE_SIZE, DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        window = cls(positive_int(query, PAGE, 1), size)
        if window.offset + window.fetch > MAX_OFFSET:
            raise NotFound(PAST_THE_END)
        return window

    @property
    def offset(self):
        return (self.number - 1) * self.size

    @property
    def fetch(self):
        return self.size + 1

    def link_header(self, url, has_next):
        """RFC 8288 links to the neighbouring pages of `url`, or None on a single page."""
        links = []
        if has_next:
            links.append(f'<{replace_query_param(url, PAGE, self.number + 1)}>; rel="next"')
        if self.number > 1:
            previous = self.number - 1
            previous_url = (
                remove_query_param(url, PAGE)
                if previous == 1
                else replace_query_param(url, PAGE, previous)
            )
            links.append(f'<{previous_url}>; rel="prev"')
        return ", ".join(links) or None


def positive_int(query, name, default):
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    digits = raw.lstrip("0")
    if not raw.isascii() or not raw.isdigit() or not digits:
        raise ValidationError({name: [_("A positive integer is required.")]})
    # More digits than any offset has: past the end (a page), or capped (a page size),
    # without reading thousands of digits, which Python refuses to convert.
    return int(digits) if len(digits) <= MAX_OFFSET_DIGITS else MAX_OFFSET + 1


class LinkHeaderPagination(BasePagination):
    """`?page=N&page_size=M`, with the neighbouring pages in an RFC 8288 `Link` header.

    The list reads its page through `movies.reads`, which takes the window from
    `PageWindow`; this class describes that pagination to the OpenAPI schema.
    """

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        return [
            build_parameter_type(
                name=PAGE,
                schema={"type": "integer", "minimum": 1},
                location="query",
                description=_("Page number, from 1. The Link header points to the neighbours."),
            ),
            build_parameter_type(
                name=PAGE_SIZE,
                schema={"type": "integer", "minimum": 1},
                location="query",
                description=format_lazy(
                    _(
                        "Films per page: {default} by default, at most {maximum} (larger values "
                        "are capped)."
                    ),
                    default=DEFAULT_PAGE_SIZE,
                    maximum=MAX_PAGE_SIZE,
                ),
            ),
        ]
