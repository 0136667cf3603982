"""The films API and the films' admin pages in the language a client asks for.

Messages follow Accept-Language (or the pages' language switch); a client that asks for no
language, or for one the site lacks, gets English. JSON keys, field names, values and dates
never change with the language.
"""

import io
from datetime import date
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from movies.tests.factories import make_movie
from movies.tests.import_support import sample_bytes

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9,en;q=0.8"}


@pytest.fixture
def film():
    return make_movie("Amélie", date(2001, 4, 25), watched=True)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Movie has already been watched."),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "Movie has already been watched."),
        ({"HTTP_ACCEPT_LANGUAGE": "fr"}, "Movie has already been watched."),
        ({"HTTP_ACCEPT_LANGUAGE": "\x7f;;q=x,,"}, "Movie has already been watched."),
        ({"HTTP_ACCEPT_LANGUAGE": "es"}, "La película ya se ha visto."),
        (SPANISH, "La película ya se ha visto."),
    ],
)
def test_a_refused_watch_says_why_in_the_language_asked_for(token_client, film, headers, message):
    response = token_client.post(reverse("movie-watch", args=[film.id]), **headers)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"detail": message}


def test_a_client_asking_for_no_language_gets_the_english_bytes(token_client, film):
    response = token_client.post(reverse("movie-watch", args=[film.id]))

    assert response.content == b'{"detail":"Movie has already been watched."}'
    assert response["Content-Language"] == "en"
    assert response["Vary"] == "Accept, Accept-Encoding, Accept-Language"


def test_validation_messages_are_translated_and_keys_are_not(token_client):
    body = {"title": "", "release_date": "1999-9-15", "rating": 11}

    english = token_client.post(reverse("movie-list"), body, format="json")
    spanish = token_client.post(reverse("movie-list"), body, format="json", **SPANISH)

    assert english.status_code == spanish.status_code == HTTPStatus.BAD_REQUEST
    assert english.json() == {
        "title": ["This field may not be blank."],
        "release_date": ["Enter a date as YYYY-MM-DD or a UNIX timestamp in seconds."],
        "rating": ["Ensure this value is less than or equal to 10."],
    }
    assert spanish.json() == {
        "title": ["Este campo no puede estar en blanco."],
        "release_date": [
            "Introduce una fecha como AAAA-MM-DD o una marca de tiempo UNIX en segundos."
        ],
        "rating": ["Asegúrese de que este valor es menor o igual a 10."],
    }
    assert spanish["Content-Language"] == "es"


def test_a_film_reads_the_same_in_every_language(anon_client, token_client, film):
    url = reverse("movie-detail", args=[film.id])

    for client in (anon_client, token_client):
        english, spanish = client.get(url), client.get(url, **SPANISH)

        assert english.content == spanish.content
        assert spanish.json()["release_date"] == "2001-04-25"
        assert spanish.json()["watched_at"].endswith("Z")
        assert (english["Content-Language"], spanish["Content-Language"]) == ("en", "es")


def test_the_early_answers_errors_are_translated(anon_client):
    missing = anon_client.get(reverse("movie-detail", args=[10**6]), **SPANISH)
    past_the_end = anon_client.get(f"{reverse('movie-list')}?page=99", **SPANISH)
    invalid = anon_client.get(f"{reverse('movie-list')}?is_watched=maybe", **SPANISH)

    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert missing.json() == {"detail": "No encontrado."}
    assert past_the_end.json() == {"detail": "Página no válida: pasada la última página."}
    assert invalid.json() == {"is_watched": ["Introduce true o false (o 1 o 0)."]}


def test_deleting_confirms_in_spanish(token_client, film):
    response = token_client.delete(reverse("movie-detail", args=[film.id]), **SPANISH)

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"detail": "La película se ha eliminado correctamente."}


def test_the_flask_route_explains_an_invalid_body_in_spanish(token_client):
    response = token_client.post(reverse("movie-create-legacy"), {"title": "x"}, **SPANISH)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["detail"] == "Indica el título y la release_date."
    assert response.json()["release_date"] == ["Este campo es requerido."]


def test_the_browsable_api_page_is_in_spanish(anon_client, film):
    response = anon_client.get(reverse("movie-list"), HTTP_ACCEPT="text/html", **SPANISH)

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<html lang="es">' in page
    assert "<title>Películas \u2013 API de Watchlist</title>" in page
    assert "Las películas de la lista de seguimiento, y si las has visto." in page
    assert 'action="/i18n/setlang/"' in page


def test_the_browsable_api_page_is_in_english_by_default(anon_client, film):
    response = anon_client.get(reverse("movie-detail", args=[film.id]), HTTP_ACCEPT="text/html")

    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "<title>Film \u2013 Watchlist API</title>" in page


def test_the_admin_change_list_follows_the_locale(admin_client, film):
    response = admin_client.get(reverse("admin:movies_movie_changelist"), **SPANISH)

    page = response.content.decode()
    assert '<html lang="es"' in page
    assert "Marcar como vistas las películas seleccionadas" in page
    assert "Importar películas" in page
    assert "Año de estreno" in page
    assert "25 de abril de 2001" in page  # the date as Spanish writes it


def test_an_admin_action_reports_in_spanish(admin_client, film):
    other = make_movie("Zodiac", date(2007, 3, 2))
    response = admin_client.post(
        reverse("admin:movies_movie_changelist"),
        {"action": "mark_watched", "_selected_action": [film.id, other.id]},
        follow=True,
        **SPANISH,
    )

    assert "1 película marcada como vista." in response.content.decode()


def test_the_language_switch_outranks_accept_language(admin_client):
    switched = admin_client.post(
        reverse("set_language"), {"language": "es", "next": reverse("admin:index")}
    )
    index = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")

    assert switched.status_code == HTTPStatus.FOUND
    assert switched.cookies["django_language"].value == "es"
    page = index.content.decode()
    assert '<html lang="es"' in page
    assert "Películas y usuarios" in page


# --- Imports and exports --------------------------------------------------------------------


def test_an_import_reports_in_the_language_asked_for(importer):
    upload = SimpleUploadedFile("watchlist.csv", sample_bytes("imdb/watchlist.csv"))

    response = importer.post(
        reverse("film-import"),
        {"file": [upload], "dry_run": "true"},
        format="multipart",
        **SPANISH,
    )

    report = response.json()
    assert response.status_code == HTTPStatus.OK
    assert {skip["reason"] for skip in report["skips"]} >= {
        "una serie de televisión, no una película"
    }
    assert report["files"][0]["format"] == "imdb-list"  # keys and values stay as they are


def test_a_refused_import_says_why_in_spanish(importer):
    upload = SimpleUploadedFile("empty.csv", b"")

    response = importer.post(
        reverse("film-import"), {"file": [upload]}, format="multipart", **SPANISH
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["detail"] == "empty.csv está vacío."


def test_the_admin_import_preview_is_in_spanish(admin_client):
    upload = SimpleUploadedFile("diary.csv", sample_bytes("letterboxd/export/diary.csv"))

    response = admin_client.post(reverse("admin:movies_movie_import"), {"file": upload}, **SPANISH)

    page = response.content.decode()
    assert "<h1>Vista previa de la importación</h1>" in page
    assert "8 filas: 8 películas por añadir, 0 por completar, 0 ya estaban" in page
    assert "Qué va a cambiar" in page
    assert 'value="Confirmar la importación"' in page


def test_the_admin_import_preview_writes_values_as_spanish_does(admin_client):
    make_movie("Whiplash", date(2014, 10, 10))
    upload = SimpleUploadedFile("diary.csv", sample_bytes("letterboxd/export/diary.csv"))

    response = admin_client.post(reverse("admin:movies_movie_import"), {"file": upload}, **SPANISH)

    page = response.content.decode()
    assert "<td>vista: sí; valoración: 8; día en que se vio: 15 de septiembre de 2023</td>" in page


def test_the_import_command_speaks_the_sites_language(tmp_path, settings):
    settings.LANGUAGE_CODE = "es"
    path = tmp_path / "watchlist.csv"
    path.write_bytes(sample_bytes("imdb/watchlist.csv"))
    out = io.StringIO()

    call_command("import_films", str(path), stdout=out, stderr=io.StringIO())

    assert out.getvalue().splitlines() == [
        "watchlist.csv: IMDb list or watchlist export, 13 filas",
        "13 filas: 9 películas añadidas, 0 completadas, 0 ya estaban; 0 filas unidas a una "
        "película ya encontrada, 4 omitidas (no son películas), 0 no válidas.",
        "Importado.",
    ]


def test_a_letterboxd_export_needs_a_list_in_spanish(anon_client):
    response = anon_client.get(f"{reverse('film-export')}?format=letterboxd", **SPANISH)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["is_watched"][0].startswith("Letterboxd marca como vista")


def test_the_schema_describes_fields_in_the_language_asked_for(anon_client):
    english = anon_client.get(reverse("schema"))
    spanish = anon_client.get(reverse("schema"), **SPANISH)

    assert english.status_code == spanish.status_code == HTTPStatus.OK
    assert "Your rating, 1 to 10; null if none." in english.content.decode()
    assert "Tu valoración, de 1 a 10; null si no hay ninguna." in spanish.content.decode()
    assert "operationId: list_films" in spanish.content.decode()
    # The import's and the export's fields and parameters too.
    assert "Filas que la API rechazaría." in spanish.content.decode()
    assert "Solo las películas cuyo título contiene este texto." in spanish.content.decode()
    assert "Rows the API would refuse." in english.content.decode()


def test_the_import_command_counts_one_invalid_row_in_spanish(tmp_path, settings):
    settings.LANGUAGE_CODE = "es"
    path = tmp_path / "films.csv"
    path.write_bytes(b"title,release_year\n,2016\nArrival,2016\n")
    out = io.StringIO()

    with pytest.raises(SystemExit):
        call_command("import_films", str(path), stdout=out, stderr=io.StringIO())

    assert out.getvalue().splitlines()[-1] == (
        "No se ha importado nada: 1 fila no válida. Corrígela, o vuelve a importar omitiendo "
        "las filas no válidas."
    )


def test_the_flask_watch_route_explains_get_in_spanish(client, django_user_model, film):
    client.force_login(django_user_model.objects.create_user("reader"))

    response = client.get(reverse("movie-watch-legacy", args=[film.id]), **SPANISH)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "detail": "GET en esta ruta necesita autenticación con token; una sesión de navegador "
        "debe usar POST."
    }


def test_a_slash_redirect_says_why_in_spanish(anon_client, film):
    response = anon_client.get(f"/api/{film.id}", **SPANISH)

    assert response.status_code == HTTPStatus.PERMANENT_REDIRECT
    assert response.json() == {"detail": f"Esta URL termina en barra: /api/{film.id}/"}
