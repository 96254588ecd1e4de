"""A PostgreSQL restart under a running portal: requests fail cleanly, then recover.

The test starts a server of its own (whichever database the rest of the suite runs on),
so stopping it disturbs no other test.
"""

import pytest

from tests.conftest import dispose, make_app, run_cli
from tests.pg_server import PostgresServer


@pytest.fixture
def restartable(tmp_path):
    server = PostgresServer().start()
    server.create("portal")
    app = make_app(tmp_path / "instance", DATABASE_URL=server.url("portal"))
    run_cli(app, "db", "upgrade")
    yield server, app
    dispose(app)
    server.stop()


def test_while_the_database_restarts_pages_and_the_api_answer_503_then_recover(restartable):
    server, app = restartable
    client = app.test_client()
    assert client.get("/countries").status_code == 200
    assert client.get("/api/v1/countries").status_code == 200

    server.pause()
    page = client.get("/countries")
    assert page.status_code == 503
    assert int(page.headers["Retry-After"]) > 0
    assert "briefly unavailable" in page.text
    assert "Traceback" not in page.text
    api = client.get("/api/v1/countries")
    assert api.status_code == 503
    assert api.is_json and api.json["error"]["status"] == 503
    # In French too, like every error page.
    assert "momentanément indisponible" in client.get("/countries?lang=fr").text

    server.resume()
    # The pool noticed the dead connections (pre-ping): the very next requests succeed.
    assert client.get("/countries").status_code == 200
    assert client.get("/api/v1/countries").status_code == 200
