"""The admin's import in a real Chromium, against gunicorn as the project ships it: sign in,
open the films, import an IMDb export, see what will change (and that nothing has yet),
confirm, see the films. The page must load without a failed request or a console error,
as every page the browser tests open (watchlist/tests/test_browser.py)."""

import pytest

from movies.tests.import_support import sample
from watchlist.tests.live import shipped_server
from watchlist.tests.test_browser import (
    CHROMIUM,
    SCREENSHOTS,
    USERS,
    PageWatch,
    films,
    log_in,
    missing,
)

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = pytest.mark.skipif(bool(missing), reason=f"browser tests skipped: {missing}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    gunicorn = shipped_server(tmp_path_factory.mktemp("import-browser"), USERS)
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
def page(browser, server, request):
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(page, server.url)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not watch.problems, "\n".join(watch.problems)


def test_admin_import_preview_then_confirm(page, server):
    log_in(page, "/admin/login/?next=/admin/movies/movie/", "curator")
    expect(page.locator("#result_list")).to_contain_text("The Matrix")

    page.locator(".object-tools a", has_text="Import films").click()
    expect(page.locator("h1")).to_have_text("Import films")
    page.set_input_files("input[name=file]", sample("imdb/ratings.csv"))
    page.click("input[type=submit][value='Preview the import']")

    expect(page.locator("h1")).to_have_text("Import preview")
    expect(page.locator("#import-summary")).to_contain_text(
        "12 rows: 8 films to add, 1 to complete, 0 already there"
    )
    matrix = page.locator("#import-changes tr", has_text="The Matrix")
    expect(matrix).to_contain_text("completed")
    expect(matrix).to_contain_text("rating: 9")
    expect(page.locator("#import-skips")).to_contain_text("a TV series, not a film")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "admin_import_preview.png", full_page=True)
    # Nothing is written before the confirmation.
    assert films(server, search="Parasite") == []
    assert films(server, search="Matrix")[0]["is_watched"] is False

    page.click("#confirm-form input[type=submit]")

    expect(page.locator(".messagelist")).to_contain_text("Imported.")
    expect(page.locator("h1")).to_have_text("Imported films")
    page.locator("a", has_text="Back to the films").click()
    page.fill("#searchbar", "parasite")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Parasite")
    [matrix_film] = films(server, search="Matrix")
    assert (matrix_film["is_watched"], matrix_film["rating"], matrix_film["imdb_id"]) == (
        True,
        9,
        "tt0133093",
    )
    assert len(films(server)) == 4 + 8
