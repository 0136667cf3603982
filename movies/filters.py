"""List filters for `GET /api/`: every unknown or malformed value is a 400, never ignored."""

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.widgets import BaseCSVWidget

from movies.models import RELEASE_ORDER, TITLE_ORDER, Movie

TRUE_VALUES = {"true": True, "1": True, "false": False, "0": False}
# Fields that sort by more than their column.
ORDERS = {"title": TITLE_ORDER, "release_date": RELEASE_ORDER}


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false`/`1`/`0` in any case; anything else is an error, not "no filter"."""

    widget = forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return TRUE_VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(
                _("Enter true or false (or 1 or 0)."), code="invalid"
            ) from None

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class RepeatableCSVSelect(BaseCSVWidget, forms.Select):
    """Comma-separated values, given once (`ordering=title,-id`) or repeated
    (`ordering=title&ordering=-id`, as generated clients send an array), or both."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else []
        if len(values) > 1:
            data = {name: ",".join(values)}
        return super().value_from_datadict(data, files, name)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Orders by the chosen fields, then by id, so that pages never overlap or skip.

    Films never watched sort after the watched ones in both directions, on every backend;
    by release date, films go by year, a film known only by its year first within it; by
    title, whatever the case and accents (TITLE_ORDER).
    """

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = self.param_map[param.lstrip("-")]
        if field == "watched_at":
            expression = F(field)
            return [
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            ]
        if field in ORDERS:
            return [
                expression.desc() if descending else expression.asc()
                for expression in ORDERS[field]
            ]
        return [super().get_ordering_value(param)]

    def filter(self, qs, value):
        value = [param for param in value or () if param]  # "ordering=," names no field
        if value in EMPTY_VALUES:
            return qs
        ordering = [term for param in value for term in self.get_ordering_value(param)]
        if not any(param.lstrip("-") == "id" for param in value):
            ordering.append("id")
        return qs.order_by(*ordering)


class TitleSearchFilter(django_filters.CharFilter):
    """The films whose title contains the text, in any case (`MovieQuerySet.search`)."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.search(value)


class MovieFilter(django_filters.FilterSet):
    is_watched = StrictBooleanFilter(
        label=_("Is watched"), help_text=_("true or false (1 or 0 accepted)")
    )
    search = TitleSearchFilter(
        field_name="title",
        help_text=_(
            "Films whose title contains this text, ignoring case and accents (amelie finds "
            "Amélie, Σ finds σ and ς, lodz finds Łódź; ß and ss differ; % and _ are plain "
            "characters)"
        ),
    )
    ordering = StableOrderingFilter(
        fields=["id", "title", "release_date", "watched_at"],
        # Named here, so that each name follows the page's language (django-filter's own
        # "(descending)" names are made once, in the language of the process's start).
        field_labels={
            "id": _("Id"),
            "-id": _("Id (descending)"),
            "title": _("Title"),
            "-title": _("Title (descending)"),
            "release_date": _("Release date"),
            "-release_date": _("Release date (descending)"),
            "watched_at": _("Watched at"),
            "-watched_at": _("Watched at (descending)"),
        },
        widget=RepeatableCSVSelect,
        help_text=_(
            "Sort by id, title (ignoring case and accents), release_date or watched_at; "
            "prefix - for descending. Several sort in turn: comma-separated (title,-id) or "
            "the parameter repeated."
        ),
    )

    class Meta:
        model = Movie
        fields = ["is_watched", "search"]
