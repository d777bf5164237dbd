"""Fixtures of the API test suite.

Run:  /usr/bin/python3 -m pytest tests/api
The binary is $TOURNEYD_BIN (relative paths are taken from the repository root), by default
build/tourneyd. One session server serves most tests (temporary database, admin "root");
`server_factory` starts extra servers with their own flags and database.
At teardown every server gets SIGTERM and must exit 0 within 15 s without any
AddressSanitizer / UBSan report on stderr.
"""

import pytest

from support import ServerError, TourneyServer, binary_path, uniq


def _start(workdir, **kw):
    srv = TourneyServer(binary_path(), workdir, **kw)
    try:
        srv.start()
    except ServerError as e:
        pytest.fail(str(e), pytrace=False)
    return srv


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The shared server: fresh migrated database, admin root, --login-rate 100000."""
    srv = _start(tmp_path_factory.mktemp("tourneyd"))
    yield srv
    problems = srv.stop()
    if problems:
        pytest.fail("session server shutdown:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def _server_survives(server):
    """After each test: the shared server is still running and reported no sanitizer error."""
    offset = server.stderr_size()
    yield
    problems = server.problems_since(offset)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def server_factory(tmp_path_factory):
    """start(flags={...}, seed=False, env={...}) -> a second TourneyServer of its own.
    `flags` override the defaults (--threads 2 --login-rate 100000 --log-level warn);
    `seed=True` runs `tourneyd seed --scale 0.01 --rng-seed 1` before serving."""
    started = []

    def start(flags=None, seed=False, env=None):
        srv = TourneyServer(binary_path(), tmp_path_factory.mktemp("tourneyd-extra"),
                            flags=flags, seed=seed, env=env)
        started.append(srv)
        try:
            srv.start()
        except ServerError as e:
            pytest.fail(str(e), pytrace=False)
        return srv

    yield start
    problems = []
    for srv in started:
        problems += srv.stop()
    if problems:
        pytest.fail("extra server shutdown:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def admin(server):
    return server.admin


@pytest.fixture(scope="session")
def alice(server):
    """A player who organizes tournaments (has an email, which others must never see)."""
    return server.new_user(prefix="alice", display_name="Alice Organizer",
                           email=f"{uniq('alice')}-private@example.com")


@pytest.fixture(scope="session")
def bob(server):
    """Another player, neither organizer nor admin."""
    return server.new_user(prefix="bob", display_name="Bob Other",
                           email=f"{uniq('bob')}-private@example.org")


@pytest.fixture(scope="session")
def game(server):
    """A solo game (team_size 1)."""
    return server.game


@pytest.fixture(scope="session")
def team_game(server):
    """A team game (team_size 5)."""
    return server.team_game
