"""The browsable API's pages, marked with the language they are written in."""

from django.utils.translation import get_language
from rest_framework import renderers

# How DRF's page template (rest_framework/base.html) opens its document: without a `lang`
# (pinned by watchlist/tests/test_i18n.py).
UNMARKED = "<html>"


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's pages, with `<html lang>` naming the answer's language (Content-Language), as
    the admin's pages do: browsers and screen readers pick their voice and hyphenation by it."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        page = super().render(data, accepted_media_type, renderer_context)
        return page.replace(UNMARKED, f'<html lang="{get_language()}">', 1)
