"""Three instances of the app behind HAProxy, as a scaled-out deployment runs them.

Each instance is the app as shipped (watchlist/gunicorn.conf.py, one worker) in its own
process group on its own loopback port; the migrations ran once before them, as a release
step does (MIGRATE_ON_START=0). HAProxy runs the example configuration
(deploy/haproxy/haproxy.cfg) with loopback addresses and a check every 100 ms. All share
a new PostgreSQL database and Redis (their keys under a prefix of this run's own). Under
mixed load through HAProxy (signed-in and anonymous clients, watchlist/tests/load.py),
instances are restarted one at a time the way an orchestrator does it, stopped without a
drain, and killed; then a write limit is checked across instances. Each step follows an
event (so many answers seen, HAProxy's view of a server, a process gone), never a clock.

Runs in the PostgreSQL pass (make test-postgres). Needs Debian's haproxy and Redis on
127.0.0.1:6379: skipped, saying so, where either is missing; in CI (CI=true) a failure.
"""

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
import redis
from django.conf import settings

from watchlist.tests.live import (
    HAPROXY,
    LOCAL_REDIS,
    ApiClient,
    Gunicorn,
    HAProxy,
    create_api_user,
    delete_keys,
    fresh_database_url,
    manage,
    new_key_prefix,
    server_env,
    user_with_time_left_in_window,
)
from watchlist.tests.load import (
    ANONYMOUS_READERS,
    DEADLINE_SECONDS,
    THREADS,
    check_database_matches,
    create_films,
    run_load,
    summary,
)

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
NAMES = ("web1", "web2", "web3")
STEP = 200  # answers seen between steps, so that every step happens under load
CLIENTS = THREADS + ANONYMOUS_READERS
DAY = 24 * 3600
MAX_REQUESTS = 20_000  # per client: a bound; the load stops on an event well before
# Methods HAProxy repeats on another instance when one closed the connection unanswered
# (deploy/haproxy/haproxy.cfg, RFC 9110's idempotent methods; but never the Flask-era
# GET /api/watch/<id>/, which the load does not send).
RETRIED = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


def missing():
    if HAPROXY is None:
        return "no haproxy (Debian: apt-get install haproxy)"
    try:
        redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return f"no Redis at {LOCAL_REDIS}: {error}"
    return None


reason = missing()
if reason and os.environ.get("CI"):
    raise RuntimeError(f"the scale-out test cannot run in CI: {reason}")
pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not ON_POSTGRES, reason="runs in the PostgreSQL pass"),
    pytest.mark.skipif(bool(reason), reason=f"scale-out test skipped: {reason}"),
]


@pytest.fixture(scope="module")
def shared(tmp_path_factory, static_root):
    """What every instance shares: a new PostgreSQL database, migrated once, and Redis, where
    this run's keys have a prefix of their own (other runs may share the server: a prefix,
    not a database number, keeps them apart, and only this run's keys are deleted after);
    and their settings, as a deployment gives them to each instance."""
    tmp_path = tmp_path_factory.mktemp("scale-out")
    database_url, drop_database = fresh_database_url(tmp_path, backend="postgres")
    key_prefix = new_key_prefix("scale-out")
    env = server_env(
        database_url,
        tmp_path,
        REDIS_URL=LOCAL_REDIS,
        DJANGO_CACHE_KEY_PREFIX=key_prefix,
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_NUM_PROXIES="1",  # HAProxy appends the client's address to X-Forwarded-For
        MIGRATE_ON_START="0",
        # One worker each: three instances share this machine's cores, and boot under load
        # about as fast as each would on a machine of its own.
        WEB_CONCURRENCY="1",
    )
    manage(env, "migrate", "--noinput", "-v0")
    try:
        yield env, tmp_path
    finally:
        delete_keys(redis.Redis.from_url(LOCAL_REDIS), key_prefix)
        drop_database()


class Cluster:
    """The instances, each on its own port, behind one HAProxy."""

    def __init__(self, env, tmp_path):
        self.env = env
        self.tmp_path = tmp_path
        self.started = Counter()
        # Started together, then awaited: boots overlap.
        self.instances = {name: self.start(name, wait=False) for name in NAMES}
        for instance in self.instances.values():
            instance.wait_until_live("/readyz")
        self.balancer = HAProxy({n: i.port for n, i in self.instances.items()}, tmp_path)
        self.url = self.balancer.url

    def start(self, name, port=None, wait=True):
        self.started[name] += 1
        log = self.tmp_path / f"{name}-{self.started[name]}.log"
        return Gunicorn(self.env, log, workers=None, port=port, ready_path="/readyz", wait=wait)

    def replace(self, name):
        """Once HAProxy has seen the instance go, a new one on its port; returns when
        HAProxy's checks find the new one healthy."""
        self.balancer.wait_until(lambda health: health[name] == "DOWN", f"{name} down")
        self.instances[name] = self.start(name, port=self.instances[name].port)
        self.balancer.wait_until(lambda health: health[name] == "UP", f"{name} up")

    def restart_drained(self, name):
        """What an orchestrator does: out of the balancer, wait until no request is on it,
        SIGTERM, a new instance, back in once healthy."""
        self.balancer.set_state(name, "drain")
        self.balancer.wait_until(
            lambda stats: stats[name]["scur"] == "0", f"{name} idle", of=self.balancer.stats
        )
        # In maintenance HAProxy closes its idle connections to the instance, which
        # gunicorn would otherwise keep open on SIGTERM (2 s) for a request that cannot
        # come; back to drain at once, so that the checks go on.
        self.balancer.set_state(name, "maint")
        self.balancer.set_state(name, "drain")
        self.instances[name].stop()
        self.replace(name)
        self.balancer.set_state(name, "ready")

    def restart_undrained(self, name):
        """SIGTERM first, while HAProxy still sends it requests (a platform without a
        pause before the signal); HAProxy's checks take it out."""
        self.instances[name].stop()
        self.replace(name)

    def counters(self):
        """Per server: requests, retries, redispatches, answers by class."""
        fields = ("stot", "wretr", "wredis", "hrsp_2xx", "hrsp_4xx", "hrsp_5xx")
        stats = self.balancer.stats()
        return {name: Counter({f: int(stats[name][f] or 0) for f in fields}) for name in NAMES}

    def stop(self):
        self.balancer.stop()  # first: its idle connections would delay the instances' exit
        with ThreadPoolExecutor(len(self.instances)) as pool:
            list(pool.map(Gunicorn.stop, self.instances.values()))


@pytest.fixture(scope="module")
def cluster(shared):
    env, tmp_path = shared
    running = Cluster(env, tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def load(cluster, shared, request):
    """Runs `steps(answers)` under load through HAProxy, as a new user with its own films;
    the load stops STEP answers after the last step. Returns what the clients saw."""
    env, _ = shared
    cluster.balancer.wait_until(lambda health: set(health.values()) == {"UP"}, "all up")
    tag = request.node.name.removeprefix("test_")[:24]
    token = create_api_user(env, username=tag)
    seed = create_films(ApiClient(cluster.url, token), 20, prefix=f"{tag} seed")
    before = len(ApiClient(cluster.url).all_movies())
    counters = cluster.counters()
    logged_before = len(cluster.balancer.requests_logged())

    def run(steps):
        def during(answers):
            steps(answers)
            answers.wait_for(answers.count + STEP)
            answers.stop()

        ledgers, readers = run_load(
            [cluster.url], token, [m["id"] for m in seed], MAX_REQUESTS, during, tag=f"{tag} "
        )
        answers = ledgers[0].answers
        after = cluster.counters()
        haproxy = sum((after[n] - counters[n] for n in NAMES), Counter())
        haproxy.logged = cluster.balancer.requests_logged()[logged_before:]
        return ledgers, readers, answers, haproxy, before

    return run


def counts(ledgers, readers, answers, haproxy):
    statuses, _ = summary(ledgers + readers)
    failures = Counter(method for method, _ in answers.failures())
    unanswered = sum((ledger.error_kinds for ledger in ledgers + readers), Counter())
    return (
        f"{answers.count} requests {dict(sorted(statuses.items()))}, "
        f"{sum(failures.values())} failed {dict(failures)} (unanswered: {dict(unanswered)}); "
        f"HAProxy: {haproxy['wretr']} retries, {haproxy['wredis']} redispatches, "
        f"{sum(cut_off_by_a_server(haproxy.logged)[0].values())} logged as cut off"
    )


def cut_off_by_a_server(logged):
    """HAProxy's lines for requests a server closed the connection on, or answered with a
    5xx (after HAProxy's retries, if it made any): by server, then by method."""
    cut = [
        line
        for line in logged
        if line["termination"][0] == "S" or not 0 < int(line["status"]) < 500
    ]
    return Counter(line["server"] for line in cut), Counter(line["method"] for line in cut)


def step_between(answers, action):
    answers.wait_for(answers.count + STEP)
    action()


def test_rolling_restart_with_drain_fails_no_request(cluster, load, report):
    def roll(answers):
        for name in NAMES:
            step_between(answers, lambda name=name: cluster.restart_drained(name))

    ledgers, readers, answers, haproxy, before = load(roll)

    report(f"\nrolling restart, drained first: {counts(ledgers, readers, answers, haproxy)}")
    assert answers.failures() == []
    anonymous, _ = summary(readers)
    assert set(anonymous) == {HTTPStatus.OK}
    assert set(summary(ledgers)[0]) <= {200, 201, 400, 404}
    check_database_matches(ledgers, cluster.url, before)


def test_sigterm_without_drain_fails_only_writes_never_received(cluster, load, report):
    def roll(answers):
        for name in NAMES:
            step_between(answers, lambda name=name: cluster.restart_undrained(name))

    ledgers, readers, answers, haproxy, before = load(roll)

    failures = answers.failures()
    report(f"\nrolling restart, SIGTERM first: {counts(ledgers, readers, answers, haproxy)}")
    # Reads, and the writes HAProxy may repeat, all succeed: an instance answers every
    # request it has read before it exits, and HAProxy sends what it did not read to
    # another. A POST or PATCH sent on a kept-alive connection just as the stopping
    # instance closed it fails (HAProxy closes the client's connection unanswered)...
    assert not {method for method, _ in failures} & RETRIED
    anonymous, _ = summary(readers)
    assert set(anonymous) == {HTTPStatus.OK}
    assert len(failures) <= THREADS * len(NAMES)
    # ...and was not carried out: the instance never read it. HAProxy cannot know that,
    # so it must not repeat it: after a crash the same failure can hide a write that was
    # done (see the SIGKILL test).
    movies = check_database_matches(ledgers, cluster.url, before)
    titles = {movie["title"] for movie in movies.values()}
    assert not set().union(*(ledger.unanswered_titles for ledger in ledgers)) & titles


def test_killed_instance_fails_only_requests_in_flight(cluster, load, report):
    events = {}

    def kill(answers):
        answers.wait_for(answers.count + STEP)
        events["killed"] = answers.count
        cluster.instances["web2"].kill()
        cluster.balancer.wait_until(lambda health: health["web2"] == "DOWN", "web2 down")
        events["down"] = answers.count
        answers.wait_for(events["down"] + STEP)
        cluster.replace("web2")

    ledgers, readers, answers, haproxy, before = load(kill)

    movies = check_database_matches(ledgers, cluster.url, before)
    titles = {movie["title"] for movie in movies.values()}
    done_unanswered = set().union(*(ledger.unanswered_titles for ledger in ledgers)) & titles
    report(
        f"\nSIGKILL of one instance: {counts(ledgers, readers, answers, haproxy)}; "
        f"HAProxy saw it down {events['down'] - events['killed']} requests after the kill; "
        f"{len(done_unanswered)} unanswered creates were carried out"
    )
    assert answers.failures(answered_before=events["killed"]) == []
    # What fails was sent to the killed instance: in flight when it died (a request a
    # client), or sent to it before HAProxy's checks took it out (HAProxy may reuse an idle
    # connection to it that it has not yet seen close). HAProxy sends a read that got no
    # answer at all to another instance, but a read whose answer was cut off mid-way fails
    # like a write: HAProxy cannot repeat half an answer.
    sent_meanwhile = events["down"] - events["killed"] + CLIENTS
    assert len(answers.failures()) <= CLIENTS + sent_meanwhile
    # HAProxy logs no instance but the killed one failing a request. (Not every failure has
    # a line of its own: a request HAProxy sent on a connection the instance had closed as
    # it died may end with the client's connection closed and nothing logged as cut off.)
    by_server, _ = cut_off_by_a_server(haproxy.logged)
    assert set(by_server) <= {"web2"}, by_server
    # Every other answer an anonymous client got is a 200.
    anonymous, _ = summary(readers)
    assert set(anonymous) - {HTTPStatus.OK} <= {HTTPStatus.BAD_GATEWAY}
    # Once HAProxy's checks have taken the instance out, every request sent succeeds (of the
    # STEP answers awaited before the instance was replaced, a client's first may have been
    # sent before).
    assert answers.failures(sent_after=events["down"]) == []


def test_write_limit_holds_across_instances(shared, report):
    """N writes a day for one user: 3N writes spread by HAProxy over three instances get
    exactly N accepted. A day, because the counters are fixed windows (django-ratelimit's,
    their end jittered per user): the user is one whose window does not end for minutes."""
    limit = 20
    env, tmp_path = shared
    (tmp_path / "limited").mkdir()
    limited = Cluster({**env, "DJANGO_THROTTLE_WRITES": f"{limit}/day"}, tmp_path / "limited")
    try:
        token = user_with_time_left_in_window(env, DAY, seconds=10 * DEADLINE_SECONDS)
        before = limited.counters()

        def write(n):
            client = ApiClient(limited.url, token)
            status, data, response = client.request(
                "POST", "/api/", {"title": f"limited {n}", "release_date": "2001-01-19"}
            )
            return status, data, response.getheader("Retry-After")

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(write, range(3 * limit)))

        after = limited.counters()
        statuses = Counter(status for status, _, _ in answers)
        spread = {
            name: {
                "201": after[name]["hrsp_2xx"] - before[name]["hrsp_2xx"],
                "429": after[name]["hrsp_4xx"] - before[name]["hrsp_4xx"],
            }
            for name in NAMES
        }
        films = [
            m for m in ApiClient(limited.url).all_movies() if m["title"].startswith("limited ")
        ]
        report(
            f"\nwrite limit {limit}/day, {3 * limit} writes over 3 instances: "
            f"{dict(statuses)}, by instance {spread}; {len(films)} films"
        )
        assert statuses == {HTTPStatus.CREATED: limit, HTTPStatus.TOO_MANY_REQUESTS: 2 * limit}
        # Each instance accepted some and refused some: none counted on its own.
        assert all(answered["201"] and answered["429"] for answered in spread.values())
        for status, data, retry_after in answers:
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                assert data["detail"].startswith("Request was throttled.")
                assert int(retry_after) > 0
        assert len(films) == limit
        assert {m["title"] for m in films} == {
            data["title"] for status, data, _ in answers if status == HTTPStatus.CREATED
        }
    finally:
        limited.stop()
