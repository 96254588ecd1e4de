"""The embedded default: each message is an .eml file in instance/mail a person can open."""

import re
from email import message_from_bytes, policy
from pathlib import Path

from tests.mail.conftest import later, outbox, queue
from tradeportal.db import db
from tradeportal.mail.models import MailStatus
from tradeportal.mail.sender import send_due

FILE_NAME = re.compile(r"(\d{8}T\d{6}\.\d{6}Z)-(\d+)\.eml")


def test_the_file_transport_writes_readable_eml_files(app):
    assert app.config["MAIL_TRANSPORT"] == "file"  # the default
    with app.app_context():
        first = queue(1, subject="Coffee: a new rule", language="fr")
        second = queue(2, html=None)
        expected = {first.id: first.message_id, second.id: second.message_id}
        report = send_due(db.session, now=later(seconds=1))
        assert report.sent == 2
        assert {row.status for row in outbox()} == {MailStatus.SENT}
    folder = Path(app.instance_path) / "mail"
    files = sorted(folder.iterdir())
    assert [path.name for path in files if not FILE_NAME.fullmatch(path.name)] == []
    found = {}
    for path in files:
        email_id = int(FILE_NAME.fullmatch(path.name).group(2))
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found[email_id] = message["Message-ID"]
        assert message["To"] == "trader@example.org"
        assert message["From"] == "Trade portal <no-reply@localhost>"
    assert found == expected
    first_message = message_from_bytes(
        next(p for p in files if p.name.endswith(f"-{first.id}.eml")).read_bytes(),
        policy=policy.default,
    )
    assert first_message["Subject"] == "Coffee: a new rule"
    assert first_message.get_body(("plain",)).get_content() == "Plain text of email 1.\n"
    assert "<b>1</b>" in first_message.get_body(("html",)).get_content()


def test_mail_dir_can_be_elsewhere(app, tmp_path):
    target = tmp_path / "outgoing"
    app.config["MAIL_DIR"] = str(target)
    with app.app_context():
        queue(1)
        send_due(db.session, now=later(seconds=1))
    assert len(list(target.glob("*.eml"))) == 1
    assert not (Path(app.instance_path) / "mail").exists()


def test_a_folder_that_cannot_be_written_keeps_the_mail_queued(app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the mail folder should be")
    app.config["MAIL_DIR"] = str(blocker / "mail")
    with app.app_context():
        queue(1)
        report = send_due(db.session, now=later(seconds=1))
        assert report.retrying == 1
        [row] = outbox()
        assert row.status is MailStatus.QUEUED
        assert "cannot create" in row.last_error
