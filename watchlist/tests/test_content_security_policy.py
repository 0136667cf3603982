"""Every page the site renders carries the Content-Security-Policy, and needs nothing it
forbids: no inline script, no inline event handler, no inline <style>."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from movies.tests.factories import make_movie

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b")


def policy(response):
    parts = response["Content-Security-Policy"].split(";")
    return dict(part.strip().split(" ", 1) for part in parts)


def pages(staff):
    film = make_movie("Memento")
    visitor, signed_in = APIClient(), APIClient()
    signed_in.force_login(staff)
    html = {"HTTP_ACCEPT": "text/html"}
    return {
        "admin login": visitor.get(reverse("admin:login")),
        "admin index": signed_in.get(reverse("admin:index")),
        "admin film list": signed_in.get(reverse("admin:movies_movie_changelist")),
        "admin film form": signed_in.get(reverse("admin:movies_movie_change", args=[film.pk])),
        "admin lockout list": signed_in.get(reverse("admin:axes_accessattempt_changelist")),
        "browsable API login": visitor.get(reverse("rest_framework:login")),
        "browsable API list, visitor": visitor.get(reverse("movie-list"), **html),
        "browsable API list, signed in": signed_in.get(reverse("movie-list"), **html),
        "browsable API film, signed in": signed_in.get(
            reverse("movie-detail", args=[film.pk]), **html
        ),
        "browsable API error page": visitor.get(reverse("movie-detail", args=[999]), **html),
        "Swagger UI": visitor.get(reverse("swagger-ui")),
    }


def test_every_page_sends_the_policy_and_needs_nothing_it_forbids(admin_user):
    for name, response in pages(admin_user).items():
        assert response["Content-Type"].startswith("text/html"), name
        assert policy(response) == POLICY, name
        content = response.content.decode()
        assert not INLINE_SCRIPT.findall(content), name
        assert not EVENT_HANDLER.findall(content), name
        assert not INLINE_STYLE.findall(content), name


def test_scripts_run_only_from_the_site_itself(admin_user):
    response = pages(admin_user)["browsable API list, signed in"]

    script_src = policy(response)["script-src"]
    assert script_src == "'self'"
    assert "unsafe" not in script_src


def test_swagger_ui_loads_its_start_up_script_as_a_file(client):
    page = client.get(reverse("swagger-ui"))
    scripts = re.findall(r'<script src="([^"]+)"', page.content.decode())

    script = client.get(scripts[-1])

    assert scripts[-1] == reverse("swagger-ui") + "?script="
    assert script.status_code == HTTPStatus.OK
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert reverse("schema") in script.content.decode()


def test_swagger_ui_keeps_the_sites_opener_policy(client):
    response = client.get(reverse("swagger-ui"))

    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_browsable_api_signs_out_with_a_plain_form(django_user_model):
    session_client = APIClient(enforce_csrf_checks=True)
    session_client.force_login(django_user_model.objects.create_user("viewer"))
    response = session_client.get(reverse("movie-list"), HTTP_ACCEPT="text/html")

    content = response.content.decode()
    assert 'action="/api/auth/logout/?next=/api/"' in content
    assert '<button type="submit" class="btn btn-link">Log out</button>' in content

    signed_out = session_client.post(
        "/api/auth/logout/?next=/api/",
        {"csrfmiddlewaretoken": session_client.cookies["csrftoken"].value},
    )
    assert signed_out.status_code == HTTPStatus.FOUND
    assert signed_out["Location"] == "/api/"
