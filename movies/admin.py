from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from movies.exporting import streaming_response
from movies.importing import Refused, Upload, import_films
from movies.models import Movie, PendingImport

# How long an uploaded file waits for its import to be confirmed.
PENDING_FOR = timedelta(days=1)


class ReleaseYearFilter(admin.SimpleListFilter):
    title = _("release year")
    parameter_name = "release_year"

    def lookups(self, request, model_admin):
        years = Movie.objects.order_by("-release_year").values_list("release_year", flat=True)
        return [(str(year), str(year)) for year in years.distinct()]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(release_year=int(self.value()))
        return queryset


def fields_shown(fields):
    """A change's fields as the admin shows a film's: each field's name in the page's
    language, and its value as a Python value, which the page writes as the language does
    (yes or no, a date in the local format) where the report's JSON has true and ISO 8601."""
    for name, value in fields.items():
        field = Movie._meta.get_field(name)
        yield field.verbose_name, field.to_python(value)


class ImportForm(forms.Form):
    file = forms.FileField(
        allow_empty_file=True,  # the import's to answer, as everywhere: "x.csv is empty."
        label=_("File"),
        help_text=_(
            "An export of IMDb (a list, the watchlist or ratings), Letterboxd (its ZIP, "
            "or watchlist.csv, watched.csv, ratings.csv, diary.csv), Trakt (its ZIP, or its "
            "JSON files), or this site's CSV or JSON export."
        ),
    )
    skip_invalid = forms.BooleanField(
        required=False,
        label=_("Skip invalid rows"),
        help_text=_(
            "Import the valid rows and list the others. Otherwise any invalid row means "
            "nothing is imported."
        ),
    )


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = [
        "film_title",
        "release_year",
        "release_date",
        "is_watched",
        "watched_on",
        "rating",
    ]
    list_filter = ["is_watched", ReleaseYearFilter]
    search_fields = ["title"]
    fields = [
        "title",
        "release_date",
        "release_year",
        "rating",
        "is_watched",
        "watched_at",
        "watched_on",
        "imdb_id",
        "tmdb_id",
        "letterboxd_uri",
    ]
    readonly_fields = ["is_watched", "watched_at", "watched_on"]
    actions = [
        "mark_watched",
        "mark_unwatched",
        "export_csv",
        "export_json",
        "export_letterboxd",
    ]

    @admin.display(
        description=Movie._meta.get_field("title").verbose_name, ordering="title_folded"
    )
    def film_title(self, film):
        # Sorted as the API sorts titles: whatever their case and accents (TITLE_ORDER).
        return film.title

    def get_search_results(self, request, queryset, search_term):
        # The API's title search (movies.search): one meaning, and the index, everywhere.
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term.strip()), False

    @admin.action(description=_("Mark selected films watched"))
    def mark_watched(self, request, queryset):
        changed = queryset.mark_watched()
        message = ngettext(
            "%(count)d film marked watched.", "%(count)d films marked watched.", changed
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Mark selected films unwatched"))
    def mark_unwatched(self, request, queryset):
        changed = queryset.mark_unwatched()
        message = ngettext(
            "%(count)d film marked unwatched.", "%(count)d films marked unwatched.", changed
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Export selected films (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        return streaming_response(queryset, "csv")

    @admin.action(description=_("Export selected films (JSON)"), permissions=["view"])
    def export_json(self, request, queryset):
        return streaming_response(queryset, "json")

    @admin.action(description=_("Export selected films for Letterboxd"), permissions=["view"])
    def export_letterboxd(self, request, queryset):
        return streaming_response(queryset, "letterboxd")

    # --- Import: upload, preview, confirm ---------------------------------------------------

    def get_urls(self):
        upload = self.admin_site.admin_view(self.import_view)
        upload.body_limit_setting = "WATCHLIST_IMPORT_MAX_BYTES"  # watchlist.limits
        confirm = self.admin_site.admin_view(self.confirm_import_view)
        return [
            path("import/", upload, name="movies_movie_import"),
            path("import/<uuid:pending>/", confirm, name="movies_movie_import_confirm"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """The upload form; a file sent is read without writing, and its preview shown."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            uploaded = form.cleaned_data["file"]
            on_error = "skip" if form.cleaned_data["skip_invalid"] else "abort"
            upload = Upload.from_uploaded_file(uploaded)
            try:
                report = import_films([upload], dry_run=True, on_error=on_error)
            except Refused as refusal:
                form.add_error("file", refusal.message)
            else:
                # One file waits per user (a new preview replaces it), a day at most.
                expired = Q(created_at__lt=timezone.now() - PENDING_FOR) | Q(user=request.user)
                PendingImport.objects.filter(expired).delete()
                uploaded.seek(0)
                pending = PendingImport.objects.create(
                    user=request.user, name=upload.name, data=uploaded.read(), on_error=on_error
                )
                return self.report_page(request, report, pending)
        return TemplateResponse(
            request,
            "admin/movies/movie/import.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Import films"),
                "form": form,
                "limit": settings.WATCHLIST_IMPORT_MAX_BYTES,
            },
        )

    def confirm_import_view(self, request, pending):
        """Imports a previewed file for real (POST), and shows what was done."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:movies_movie_import")
        pending = get_object_or_404(PendingImport, pk=pending, user=request.user)
        upload = Upload.from_bytes(pending.name, bytes(pending.data))
        try:
            report = import_films([upload], on_error=pending.on_error)
        except Refused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return redirect("admin:movies_movie_import")
        pending.delete()
        if report.written:
            self.message_user(request, next(reversed(list(report.describe()))), messages.SUCCESS)
        return self.report_page(request, report, None)

    def report_page(self, request, report, pending):
        changelist = reverse("admin:movies_movie_changelist")
        as_dict = report.as_dict()
        return TemplateResponse(
            request,
            "admin/movies/movie/import_report.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("Imported films") if report.written else _("Import preview"),
                "report": as_dict,
                "changes": [
                    {**change, "fields": list(fields_shown(change.get("fields", {})))}
                    for change in as_dict["changes"]
                ],
                "summary": list(report.describe()),
                "pending": pending,
                "changelist": changelist,
            },
        )
