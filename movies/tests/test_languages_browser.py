"""The admin and the browsable API in Spanish, in a real Chromium set to Spanish, against
gunicorn as the project ships it: every page it visits says `<html lang="es">` and shows no
English string of the project's own (the originals of its Spanish catalog). Screenshots of
the film list in the admin and of a film in the browsable API go to test-output/screenshots/,
as every browser test's (watchlist/tests/test_browser.py)."""

import re

import pytest

from watchlist.tests.live import BASE_DIR, shipped_server
from watchlist.tests.test_browser import (
    CHROMIUM,
    SCREENSHOTS,
    USERS,
    PageWatch,
    films,
    log_in,
    missing,
)
from watchlist.tests.test_catalogs import mo_messages

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.live,  # a server and a browser: the full suite only (pyproject.toml)
    pytest.mark.skipif(bool(missing), reason=f"browser tests skipped: {missing}"),
]

CATALOG = BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.mo"
# A message's fixed text, between the values put into it.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
# What a page says, less what is not in its language: data (JSON, code, form values), and
# what is marked as another language (each language's own name in the language switch).
PAGE_TEXT = """() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll("script, style, pre, code, textarea, [lang]:not([lang=es])")
        .forEach((element) => element.remove());
    return copy.textContent;
}"""


def english_phrases():
    """The project's English texts that Spanish pages must not show: each original in the
    Spanish catalog that its translation changes, cut at its placeholders, keeping the
    pieces that are phrases (two words or more) or capitalised words: a lower-case word
    alone ("title") is also a field's name, which pages show as it is."""
    phrases = set()
    for original, translation in mo_messages(CATALOG).items():
        for text in original.split("\x00"):
            if text in translation.split("\x00"):
                continue
            for piece in PLACEHOLDER.split(text):
                piece = piece.strip(" .,:;()")
                if " " in piece or (len(piece) >= 4 and piece[0].isupper()):
                    phrases.add(piece)
    return phrases


ENGLISH = english_phrases()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    gunicorn = shipped_server(tmp_path_factory.mktemp("languages-browser"), USERS)
    yield gunicorn
    gunicorn.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(
        base_url=server.url, viewport={"width": 1280, "height": 900}, locale="es-ES"
    )
    page = context.new_page()
    watch = PageWatch(page, server.url)
    yield page
    context.close()
    assert not watch.problems, "\n".join(watch.problems)


def assert_spanish(page):
    assert page.locator("html").get_attribute("lang") == "es", page.url
    text = page.evaluate(PAGE_TEXT)
    found = sorted(
        phrase for phrase in ENGLISH if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
    )
    assert not found, f"{page.url} shows English: {found}"


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)


def test_the_admin_in_spanish(page, server):
    log_in(page, "/admin/login/?next=/admin/", "curator")

    expect(page.locator("#site-name")).to_contain_text("Administración de Watchlist")
    expect(page.locator("#content-main")).to_contain_text("Bloqueos de inicio de sesión")
    expect(page.locator("#content-main")).to_contain_text("Tokens de la API")
    expect(page.locator("#content-main")).to_contain_text("Intentos de acceso")
    expect(page.locator("#content-main")).to_contain_text("Películas")
    assert_spanish(page)

    page.goto("/admin/movies/movie/")
    expect(page.locator("h1")).to_have_text("Seleccione película a modificar")
    expect(page.locator("#result_list thead")).to_contain_text("Año de estreno")
    assert_spanish(page)
    screenshot(page, "admin_changelist_es.png")

    page.locator("#result_list a", has_text="The Matrix").click()
    expect(page.locator("label[for=id_release_date]")).to_have_text("Fecha de estreno:")
    assert_spanish(page)

    page.goto("/admin/movies/movie/")
    page.locator(".object-tools a", has_text="Importar películas").click()
    expect(page.locator("h1")).to_have_text("Importar películas")
    assert_spanish(page)


def test_the_browsable_api_in_spanish(page, server):
    [matrix] = films(server, search="Matrix")

    page.goto("/api/")
    expect(page.locator(".page-header h1")).to_have_text("Películas")
    assert_spanish(page)

    page.goto(f"/api/{matrix['id']}/")
    expect(page.locator(".page-header h1")).to_have_text("Película")
    expect(page.locator(".content-main")).to_contain_text("lista de seguimiento")
    expect(page.locator(".navbar")).to_contain_text("Iniciar sesión")
    assert_spanish(page)
    screenshot(page, "browsable_api_film_es.png")


def test_the_language_switch_changes_the_language(page, server):
    page.goto("/api/")
    page.select_option(".language-switch select", "en")
    page.locator(".language-switch button").click()

    expect(page.locator(".page-header h1")).to_have_text("Films")
    assert page.locator("html").get_attribute("lang") == "en"
