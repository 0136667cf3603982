"""What the project adds to Django's languages: its pages marked with their language, and the
admin's sections named in a person's words."""

from http import HTTPStatus

import pytest
from django.template.loader import get_template
from django.urls import reverse

from watchlist.renderers import UNMARKED

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}


def test_drfs_page_template_opens_its_document_without_a_language():
    source = get_template("rest_framework/base.html").template.source

    assert UNMARKED in source, (
        "Django REST framework's rest_framework/base.html no longer opens with <html>: "
        "watchlist/renderers.py marks the browsable API's pages with their language by it"
    )
    assert "<html lang" not in source


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "names"),
    [
        ({}, ["Sign-in lockouts", "API tokens", "Films and users"]),
        (SPANISH, ["Bloqueos de inicio de sesión", "Tokens de la API", "Películas y usuarios"]),
    ],
)
def test_the_admin_index_names_the_sign_in_sections_in_a_persons_words(
    admin_client, headers, names
):
    response = admin_client.get(reverse("admin:index"), **headers)

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for name in names:
        assert name in page
    assert ">Axes<" not in page
    assert ">Knox<" not in page


@pytest.mark.django_db
def test_the_sign_in_page_is_in_spanish(client):
    response = client.get(reverse("admin:login"), **SPANISH)

    page = response.content.decode()
    assert '<html lang="es"' in page
    assert "Nombre de usuario" in page
    assert 'action="/i18n/setlang/"' in page
