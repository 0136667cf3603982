"""The browser side, in a real Chromium: the admin, the browsable API and the Swagger docs.

The app runs under gunicorn with production settings (debug off, collected static files)
on loopback. Every page must carry the Content-Security-Policy and load without a failed
request, a request to another host or a console error (a policy violation is one), and its
stylesheet must really apply. Screenshots of each flow's end go to
test-output/screenshots/. Skipped, saying so, where Chromium or Playwright is missing;
in CI (CI=true) a missing browser is a failure instead.
"""

import contextlib
import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from watchlist.tests.live import BASE_DIR, free_port, shipped_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = BASE_DIR / "test-output" / "screenshots"
PASSWORD = "a-long-browser-password"

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None
else:
    # Expectations wait on the page, for longer than Playwright's 5 s: a busy 2-core machine
    # can take that to run Swagger UI's bundle.
    expect.set_options(timeout=20_000)


def browser_missing():
    if sync_playwright is None:
        return "Playwright for Python is not installed"
    if not shutil.which(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


missing = browser_missing()
if missing and os.environ.get("CI"):
    raise RuntimeError(f"browser tests cannot run in CI: {missing}")
pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(bool(missing), reason=f"browser tests skipped: {missing}"),
]

USERS = f"""
from django.contrib.auth import get_user_model
User = get_user_model()
User.objects.create_user("curator", password="{PASSWORD}", is_staff=True, is_superuser=True)
User.objects.create_user("viewer", password="{PASSWORD}")
"""


@pytest.fixture(scope="module")
def front_end_origin():
    """Where a front-end of the API lives: another origin on loopback (another port)."""
    return f"http://localhost:{free_port()}"


@pytest.fixture(scope="module")
def server(tmp_path_factory, front_end_origin):
    gunicorn = shipped_server(
        tmp_path_factory.mktemp("browser"), USERS, DJANGO_CORS_ALLOWED_ORIGINS=front_end_origin
    )
    yield gunicorn
    gunicorn.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                # The closed network here makes Chromium's background services slow it down.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageWatch:
    """Everything a page does that a person would notice going wrong."""

    def __init__(self, page, base_url):
        self.host = urlsplit(base_url).netloc
        self.problems = []
        self.error_pages = set()  # documents that are deliberate API errors (400, 405...)
        self.main_frame = page.main_frame
        # Which page each request was made for: a page left while it still loads has its
        # requests cancelled (net::ERR_ABORTED), which no one sees.
        self.navigations = 0
        self.made_for = {}
        page.on("console", self.console)
        page.on("requestfailed", self.request_failed)
        page.on("request", self.request)
        page.on("response", self.response)

    def console(self, message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and (
            message.location.get("url") in self.error_pages
        ):
            return  # Chromium logs the page's own 4xx status; the page shows it on purpose
        self.problems.append(f"console error: {message.text} at {message.location}")

    def request(self, request):
        if request.is_navigation_request() and request.frame == self.main_frame:
            self.navigations += 1
        self.made_for[request] = self.navigations
        if not request.url.startswith(("data:", "blob:")) and (
            urlsplit(request.url).netloc != self.host
        ):
            self.problems.append(f"request to another host: {request.url}")

    def request_failed(self, request):
        left = self.made_for.get(request, self.navigations) < self.navigations
        if left and request.failure == "net::ERR_ABORTED":
            return
        self.problems.append(f"failed ({request.failure}): {request.url}")

    def response(self, response):
        is_page = response.request.resource_type == "document"
        if is_page and "content-security-policy" not in response.headers:
            self.problems.append(f"no Content-Security-Policy: {response.url}")
        # The page itself may be a deliberate 4xx (the browsable API shows API errors);
        # its stylesheets, scripts, images and fonts must all load.
        if response.status < 400:
            return
        if response.request.resource_type == "document":
            self.error_pages.add(response.url)
        else:
            self.problems.append(f"{response.status}: {response.url}")


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(page, server.url)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOTS / f"{request.node.name}.png"
    page.screenshot(path=screenshot, full_page=True)
    context.close()
    assert screenshot.stat().st_size > 5_000, "the screenshot is empty"
    assert not watch.problems, "\n".join(watch.problems)


def films(server, **query):
    """The films as the API lists them (a separate client, not the browser)."""
    from watchlist.tests.live import fetch

    search = "&".join(f"{key}={value}" for key, value in query.items())
    status, _, body = fetch(f"{server.url}/api/?page_size=1000&{search}")
    assert status == 200
    return json.loads(body)


# A background no stylesheet has set. Styles are read through expect(), which waits: the
# page's elements can be there before its stylesheet has loaded.
TRANSPARENT = "rgba(0, 0, 0, 0)"


def log_in(page, path, username):
    page.goto(path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]")


# --- 1. the admin --------------------------------------------------------------------------


def test_admin_flow(page, server):
    log_in(page, "/admin/login/?next=/admin/movies/movie/", "curator")
    expect(page.locator("#site-name")).to_contain_text("Watchlist administration")
    # The admin stylesheet applies (once loaded): its header has a coloured background.
    expect(page.locator("#header")).not_to_have_css("background-color", TRANSPARENT)

    page.click(".object-tools a.addlink")
    page.fill("input[name=title]", "Memento")
    page.fill("input[name=release_date]", "2000-10-11")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.fill("#searchbar", "memento")
    page.press("#searchbar", "Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    expect(page.locator("#result_list")).to_contain_text("Memento")

    page.goto("/admin/movies/movie/?is_watched__exact=0")
    expect(page.locator("#result_list tbody tr")).to_have_count(5)
    page.locator("#result_list tbody tr", has_text="Memento").locator(
        "input.action-select"
    ).check()
    page.select_option("select[name=action]", "mark_watched")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 film marked watched.")

    page.goto("/admin/movies/movie/?is_watched__exact=1")
    row = page.locator("#result_list tbody tr", has_text="Memento")
    expect(row.locator("td.field-watched_on")).not_to_have_text("-")
    memento = films(server, search="memento")[0]
    assert memento["is_watched"] is True
    assert memento["watched_at"] is not None


def test_admin_refuses_a_non_staff_user(page, server):
    log_in(page, "/admin/login/", "viewer")

    expect(page.locator(".errornote")).to_contain_text("staff account")
    assert "/admin/login/" in page.url
    page.goto("/admin/movies/movie/")
    assert "/admin/login/" in page.url


# --- 2. the browsable API ------------------------------------------------------------------


def test_browsable_api_flow(page, server):
    log_in(page, "/api/auth/login/?next=/api/", "viewer")
    expect(page.locator(".navbar")).to_contain_text("viewer")
    # Bootstrap's navbar styling applies: the page's stylesheet loaded.
    expect(page.locator(".navbar")).not_to_have_css("background-color", TRANSPARENT)

    form = page.locator("#post-object-form form")
    form.locator("input[name=title]").fill("Primer")
    form.locator("input[name=release_date]").fill("2004-10-08")
    form.locator("button", has_text="POST").click()
    expect(page.locator(".response-info")).to_contain_text("201 Created")
    created = films(server, search="primer")[0]

    page.goto(f"/api/{created['id']}/")
    expect(page.locator(".response-info")).to_contain_text('"title": "Primer"')

    page.goto(f"/api/{created['id']}/watch/")
    page.locator("#post-object-form button", has_text="POST").click()
    expect(page.locator(".response-info")).to_contain_text("200 OK")
    expect(page.locator(".response-info")).to_contain_text('"is_watched": true')
    first_watch = films(server, search="primer")[0]["watched_at"]
    page.locator("#post-object-form button", has_text="POST").click()
    expect(page.locator(".response-info")).to_contain_text("400 Bad Request")
    expect(page.locator(".response-info")).to_contain_text("Movie has already been watched.")
    assert films(server, search="primer")[0]["watched_at"] == first_watch

    page.goto(f"/api/{created['id']}/")
    page.locator("button", has_text="DELETE").first.click()
    page.locator("#deleteModal button", has_text="Delete").click()
    expect(page.locator(".response-info")).to_contain_text("Movie has been successfully deleted.")
    assert films(server, search="primer") == []

    # Signing out is a plain form button (no inline handler, which the policy would block).
    page.click(".navbar .dropdown-toggle")
    page.click("#logoutForm button[type=submit]")
    expect(page.locator("a", has_text="Log in")).to_be_visible()
    expect(page.locator("#post-object-form")).to_have_count(0)


def test_a_films_page_offers_its_title_and_date_to_edit(page, server):
    film = films(server, search="fight")[0]
    log_in(page, f"/api/auth/login/?next=/api/{film['id']}/", "viewer")

    html_form = page.locator("#put-object-form form")
    expect(html_form.locator("input[name=title]")).to_have_value(film["title"])
    expect(html_form.locator("input[name=release_date]")).to_have_value(film["release_date"])

    page.locator("a[name=raw-tab][href='#put-generic-content-form']").click()
    raw = page.locator("#put-generic-content-form textarea[name=_content]")
    expect(raw).to_be_visible()
    raw_data = json.loads(raw.input_value())
    assert (raw_data["title"], raw_data["release_date"]) == (film["title"], film["release_date"])
    assert films(server, search="fight") == [film]  # looking changed nothing


def test_browsable_api_offers_no_write_form_to_visitors(page, server):
    before = films(server)

    page.goto("/api/")
    expect(page.locator(".response-info")).to_contain_text("Fight Club")
    expect(page.locator("#post-object-form")).to_have_count(0)
    expect(page.locator("a", has_text="Log in")).to_be_visible()
    # And a write without signing in is refused (sent from outside the page, whose console
    # must stay free of errors).
    request = urllib.request.Request(
        f"{server.url}/api/",
        data=b'{"title": "Sneaky", "release_date": "2000-01-01"}',
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code

    assert status == 401
    assert films(server) == before


# --- 3. the Swagger docs -------------------------------------------------------------------


def test_swagger_docs_flow(page, server):
    from watchlist.tests.live import fetch

    _, _, schema = fetch(f"{server.url}/api/schema/?format=json")
    operations = sum(
        1
        for methods in json.loads(schema)["paths"].values()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    )

    page.goto("/api/docs/")
    expect(page.locator(".opblock")).to_have_count(operations)
    method = page.locator(".swagger-ui .opblock-summary-method").first
    expect(method).to_have_css("color", "rgb(255, 255, 255)")

    listing = page.locator(".opblock-get", has=page.locator("[data-path='/api/']"))
    listing.locator(".opblock-summary").click()
    listing.locator("button.try-out__btn").click()
    listing.locator("button.execute").click()
    body = listing.locator(".responses-wrapper .live-responses-table .microlight").first
    expect(body).to_contain_text("Fight Club")
    expect(body).to_contain_text("Inception")
    status = listing.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_contain_text("200")


# --- 4. a front-end on another origin (CORS) -----------------------------------------------

FRONT_END_PAGE = """<!doctype html>
<html><head><title>Films, elsewhere</title></head>
<body><h1>Films, from the watchlist API</h1><ul id="films"></ul><p id="status"></p></body></html>
"""

# What a front-end does: read a page of films, add one with a token, read the new film's
# URL from Location, delete it there. Every step's outcome is returned, and shown.
FRONT_END_SCRIPT = """async ([api, token]) => {
  const out = {};
  const show = (text) => { document.querySelector("#status").textContent += text + " "; };
  try {
    const list = await fetch(`${api}/api/?page_size=2&ordering=title`);
    const films = await list.json();
    for (const film of films) {
      const item = document.createElement("li");
      item.textContent = `${film.title} (${film.release_date})`;
      document.querySelector("#films").append(item);
    }
    Object.assign(out, {
      listed: list.status, titles: films.map((f) => f.title),
      link: list.headers.get("Link"), etag: list.headers.get("ETag"),
    });
    show(`read ${list.status}`);
  } catch (error) { out.listed = error.name; show(`read: ${error.name}`); }
  try {
    const auth = { Authorization: `Token ${token}` };
    const created = await fetch(`${api}/api/`, {
      method: "POST", headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "Made elsewhere", release_date: "2001-01-01" }),
    });
    out.created = created.status;
    out.location = created.headers.get("Location");
    const deleted = await fetch(out.location, { method: "DELETE", headers: auth });
    out.deleted = (await deleted.json()).detail;
    show(`wrote ${created.status}, deleted ${deleted.status}`);
  } catch (error) { out.created = error.name; show(`write: ${error.name}`); }
  return out;
}"""


def token_of(server, username):
    request = urllib.request.Request(
        f"{server.url}/api/auth/token/",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


class FrontEndPage(BaseHTTPRequestHandler):
    def do_GET(self):
        body = FRONT_END_PAGE.encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def front_end(browser, origin):
    """A page served from `origin` (a real server on loopback: the browser lets loopback
    pages call loopback servers), and the errors its console reports."""
    httpd = ThreadingHTTPServer(("127.0.0.1", urlsplit(origin).port), FrontEndPage)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{origin}/")
        yield page, errors
    finally:
        context.close()
        httpd.shutdown()
        httpd.server_close()


def test_a_front_end_on_an_allowed_origin_reads_and_writes(browser, server, front_end_origin):
    before = films(server)

    with front_end(browser, front_end_origin) as (page, errors):
        outcome = page.evaluate(FRONT_END_SCRIPT, [server.url, token_of(server, "viewer")])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "cors_front_end_allowed.png", full_page=True)

    assert outcome["listed"] == 200, errors
    assert outcome["titles"] == ["Donnie Darko", "Fight Club"]
    assert 'rel="next"' in outcome["link"]  # exposed to the page: it can find the next page
    assert outcome["etag"].startswith('W/"')
    assert outcome["created"] == 201
    assert outcome["location"].startswith(f"{server.url}/api/")
    assert outcome["deleted"] == "Movie has been successfully deleted."
    assert films(server) == before
    assert errors == []


def test_a_page_on_another_origin_can_neither_read_nor_write(browser, server):
    elsewhere = f"http://localhost:{free_port()}"
    before = films(server)

    with front_end(browser, elsewhere) as (page, errors):
        outcome = page.evaluate(FRONT_END_SCRIPT, [server.url, token_of(server, "viewer")])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "cors_front_end_refused.png", full_page=True)

    assert outcome == {"listed": "TypeError", "created": "TypeError"}
    assert any("CORS policy" in error for error in errors), errors
    # The write's preflight was refused, so the write itself was never sent.
    assert films(server) == before
