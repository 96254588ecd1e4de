"""The outbox screen at /manage/mail: administrators only; retry and unsuppress."""

import pytest

from tests.auth.conftest import audit_actions, fresh_token
from tests.mail.conftest import later, outbox, queue, suppression_of
from tradeportal.auth.models import Role
from tradeportal.db import db
from tradeportal.mail.models import MailStatus
from tradeportal.mail.sender import send_due

PAGE = "/manage/mail/"


@pytest.fixture
def admin(signed_in):
    return signed_in(Role.ADMIN, "admin@example.org")


@pytest.fixture
def failed_mail(smtp_app, sink):
    """One email failed for good, one address suppressed after three hard bounces."""
    sink.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 No such user <script>x</script>"
    sink.handler.refuse_rcpt["typo@example.org"] = "550 5.1.1 No such user"
    with smtp_app.app_context():
        queue(1, to="typo@example.org", subject="Your <b>alert</b>")
        for index in range(2, 5):
            queue(index, to="gone@example.org")
        send_due(db.session, now=later(seconds=1))
        [typo_id] = [row.id for row in outbox() if row.to_address == "typo@example.org"]
        suppression_id = suppression_of("gone@example.org").id
    del sink.handler.refuse_rcpt["typo@example.org"]
    return {"typo": typo_id, "suppression": suppression_id}


def test_only_administrators_open_the_outbox(smtp_app, signed_in):
    anonymous = smtp_app.test_client().get(PAGE)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in (Role.VIEWER, Role.EDITOR, Role.PUBLISHER):
        assert signed_in(role).get(PAGE).status_code == 403, role
    page = signed_in(Role.ADMIN).get(PAGE)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert 'href="/manage/mail/"' in page.get_data(as_text=True)  # the nav link


def test_editors_see_no_mail_link(smtp_app, signed_in):
    page = signed_in(Role.EDITOR).get("/manage/")
    assert page.status_code == 200
    assert 'href="/manage/mail/"' not in page.get_data(as_text=True)


def test_the_outbox_shows_counts_failures_and_suppressions(admin, failed_mail):
    html = admin.get(PAGE).get_data(as_text=True)
    assert '<td>Failed</td><td class="num">4</td>' in html
    assert "typo@example.org" in html
    assert "RCPT refused: 550 5.1.1 No such user" in html
    assert "Your &lt;b&gt;alert&lt;/b&gt;" in html  # escaped, never markup
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert 'id="mail-suppressions"' in html and "gone@example.org" in html
    # What a suppression does to alerts, and what unsuppressing does not do.
    assert "an alerts subscriber at it is paused" in html
    assert "Unsuppressing does not restart the alerts by itself" in html


def test_retry_queues_a_failed_email_again_and_audits_it(smtp_app, sink, admin, failed_mail):
    token = fresh_token(admin, PAGE)
    response = admin.post(
        f"/manage/mail/emails/{failed_mail['typo']}/retry", data={"csrf_token": token}
    )
    assert response.status_code == 302
    page = admin.get(PAGE).get_data(as_text=True)
    assert "is queued again" in page
    with smtp_app.app_context():
        row = db.session.get(type(outbox()[0]), failed_mail["typo"])
        assert (row.status, row.attempts) == (MailStatus.QUEUED, 0)
        assert send_due(db.session, now=later(seconds=1)).sent == 1
    assert sink.handler.received_by("typo@example.org")
    [event] = [e for e in audit_actions(smtp_app) if e[0] == "mail.retried"]
    assert event[2:4] == ("outbound_email", str(failed_mail["typo"]))
    assert event[4]["previous_status"] == "failed"


def test_retry_refuses_mail_to_a_suppressed_address(smtp_app, admin, failed_mail):
    with smtp_app.app_context():
        [gone_id, *_] = [row.id for row in outbox() if row.to_address == "gone@example.org"]
    token = fresh_token(admin, PAGE)
    response = admin.post(f"/manage/mail/emails/{gone_id}/retry", data={"csrf_token": token})
    assert response.status_code == 409
    assert "unsuppress the address" in response.get_data(as_text=True)


def test_retry_of_a_sent_or_unknown_email_is_refused(smtp_app, sink, admin):
    with smtp_app.app_context():
        sent_id = queue(1).id
        send_due(db.session, now=later(seconds=1))
    token = fresh_token(admin, PAGE)
    response = admin.post(f"/manage/mail/emails/{sent_id}/retry", data={"csrf_token": token})
    assert response.status_code == 409
    assert "only failed or suppressed ones" in response.get_data(as_text=True)
    response = admin.post("/manage/mail/emails/999/retry", data={"csrf_token": token})
    assert response.status_code == 404


def test_unsuppress_allows_mail_again_and_audits_it(smtp_app, admin, failed_mail):
    token = fresh_token(admin, PAGE)
    path = f"/manage/mail/suppressions/{failed_mail['suppression']}/unsuppress"
    response = admin.post(path, data={"csrf_token": token})
    assert response.status_code == 302
    assert "can receive mail again" in admin.get(PAGE).get_data(as_text=True)
    with smtp_app.app_context():
        suppression = suppression_of("gone@example.org")
        assert (suppression.suppressed_at, suppression.hard_bounces) == (None, 0)
        queue(9, to="gone@example.org")  # queue() fails the test unless it is queued
    [event] = [e for e in audit_actions(smtp_app) if e[0] == "mail.unsuppressed"]
    assert event[4]["address"] == "gone@example.org" and event[4]["hard_bounces"] == 3
    again = admin.post(path, data={"csrf_token": fresh_token(admin, PAGE)})
    assert again.status_code == 409


def test_posts_need_the_form_token(smtp_app, admin, failed_mail):
    response = admin.post(f"/manage/mail/emails/{failed_mail['typo']}/retry")
    assert response.status_code == 400
    path = f"/manage/mail/suppressions/{failed_mail['suppression']}/unsuppress"
    assert admin.post(path).status_code == 400
    with smtp_app.app_context():
        assert db.session.get(type(outbox()[0]), failed_mail["typo"]).status is MailStatus.FAILED
        assert suppression_of("gone@example.org").is_suppressed


def test_non_administrators_cannot_post(smtp_app, signed_in, failed_mail):
    editor = signed_in(Role.PUBLISHER)
    token = fresh_token(editor, "/manage/")
    response = editor.post(
        f"/manage/mail/emails/{failed_mail['typo']}/retry", data={"csrf_token": token}
    )
    assert response.status_code == 403
    with smtp_app.app_context():
        assert db.session.get(type(outbox()[0]), failed_mail["typo"]).status is MailStatus.FAILED


def test_the_outbox_screen_and_its_refusals_in_french(smtp_app, admin, failed_mail):
    html = admin.get(PAGE + "?lang=fr").get_data(as_text=True)  # remembered from now on
    assert "<h1>Courriels sortants</h1>" in html
    assert '<td>Échec</td><td class="num">4</td>' in html
    assert "Adresses bloquées" in html and "Débloquer" in html and "Renvoyer" in html
    assert "une adresse refusée 3 fois est bloquée" in html
    with smtp_app.app_context():
        [gone_id] = [row.id for row in outbox() if row.to_address == "gone@example.org"][:1]
    token = fresh_token(admin, PAGE)
    response = admin.post(f"/manage/mail/emails/{gone_id}/retry", data={"csrf_token": token})
    assert response.status_code == 409
    assert "gone@example.org est bloquée après des rejets définitifs répétés" in response.text
