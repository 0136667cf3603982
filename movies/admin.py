from django.contrib import admin, messages
from django.db.models.functions import ExtractYear

from movies.models import Movie


class ReleaseYearFilter(admin.SimpleListFilter):
    title = "release year"
    parameter_name = "release_year"

    def lookups(self, request, model_admin):
        years = (
            Movie.objects.annotate(year=ExtractYear("release_date"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(release_date__year=int(self.value()))
        return queryset


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = ["title", "release_date", "is_watched", "watched_at"]
    list_filter = ["is_watched", ReleaseYearFilter]
    search_fields = ["title"]
    date_hierarchy = "release_date"
    readonly_fields = ["is_watched", "watched_at"]
    actions = ["mark_watched", "mark_unwatched"]

    def get_search_results(self, request, queryset, search_term):
        # The API's title search (movies.search): one meaning, and the index, everywhere.
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term.strip()), False

    @admin.action(description="Mark selected films watched")
    def mark_watched(self, request, queryset):
        changed = queryset.mark_watched()
        self.message_user(request, f"{changed} film(s) marked watched.", messages.SUCCESS)

    @admin.action(description="Mark selected films unwatched")
    def mark_unwatched(self, request, queryset):
        changed = queryset.mark_unwatched()
        self.message_user(request, f"{changed} film(s) marked unwatched.", messages.SUCCESS)
