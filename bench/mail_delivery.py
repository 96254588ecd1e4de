"""Mail delivery rate: the outbox (claim → send → mark) against raw smtplib, same sink.

Both send the same N multipart messages to one local aiosmtpd server on 127.0.0.1: the
outbox through ``send_all_due`` (claims committed, one row marked per message, one SMTP
connection per batch), the baseline through one ``smtplib`` connection with the messages
built beforehand. The two alternate round by round, so a busy machine slows both alike.
Prints p50/p95 of the time per message over the rounds and the ratio of the median rates.
Target (issue 6): the outbox reaches ≥ 50% of the raw rate.
"""

import json
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import delete, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import percentile, report_dir
from tradeportal import create_app
from tradeportal.db import db
from tradeportal.mail.messages import build_message
from tradeportal.mail.models import OutboundEmail
from tradeportal.mail.outbox import queue_email
from tradeportal.mail.sender import send_all_due

MESSAGES = 500
ROUNDS = 9
TARGET = 0.5
MAIL_FROM = "Trade portal <no-reply@trade.example.gov.mu>"
TEXT = "A change concerns a product you follow.\n" + "Line of explanation.\n" * 40
HTML = "<p>A change concerns a product you follow.</p>" + "<p>Line of explanation.</p>" * 40


class CountingHandler:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def queue_round(app, round_number: int) -> None:
    with app.app_context():
        db.session.execute(delete(OutboundEmail))
        for number in range(MESSAGES):
            queue_email(
                db.session,
                to=f"subscriber{number}@example.org",
                subject=f"Change {number} to a product you follow",
                text=TEXT,
                html=HTML,
                dedupe_key=f"bench:{round_number}:{number}",
                kind="alert",
                headers={"List-Unsubscribe": "<https://trade.example.gov.mu/alerts/unsubscribe/x>"},
            )
        db.session.commit()


def outbox_rate(app) -> float:
    with app.app_context():
        start = time.perf_counter()
        report = send_all_due(db.session, batch=int(app.config["MAIL_SEND_BATCH"]))
        seconds = time.perf_counter() - start
        sent = db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.status == "sent")
        )
    assert sent == MESSAGES, (sent, report)
    return MESSAGES / seconds


def raw_rate(app, port: int) -> float:
    with app.app_context():
        rows = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
        messages = [build_message(row, mail_from=MAIL_FROM) for row in rows]
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for message in messages:
            connection.send_message(message)
    return len(messages) / (time.perf_counter() - start)


def main() -> None:
    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = create_app(
                {
                    "INSTANCE_PATH": tmp,
                    "MAIL_TRANSPORT": "smtp",
                    "SMTP_URL": f"smtp://127.0.0.1:{port}",
                    "MAIL_FROM": MAIL_FROM,
                }
            )
            result = app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert result.exit_code == 0, result.output
            outbox, raw = [], []
            for round_number in range(ROUNDS):
                queue_round(app, round_number)
                outbox.append(outbox_rate(app))
                raw.append(raw_rate(app, port))
    finally:
        controller.stop()
    assert handler.received == 2 * ROUNDS * MESSAGES, handler.received
    outbox_median, raw_median = statistics.median(outbox), statistics.median(raw)
    ratio = round(outbox_median / raw_median, 2)
    per_message = {
        name: {
            "p50_ms": round(1000 / percentile(rates, 0.5), 2),
            # The slowest rounds: the 95th percentile of the time per message.
            "p95_ms": round(1000 / percentile(rates, 0.05), 2),
        }
        for name, rates in (("outbox", outbox), ("raw", raw))
    }
    report = {
        "date": date.today().isoformat(),
        "messages_per_round": MESSAGES,
        "rounds": ROUNDS,
        "outbox_messages_per_second": [round(rate, 1) for rate in outbox],
        "raw_smtplib_messages_per_second": [round(rate, 1) for rate in raw],
        "ms_per_message": per_message,
        "ratio": ratio,
        "target": {"ratio_min": TARGET, "met": ratio >= TARGET},
    }
    (report_dir() / "mail_delivery.json").write_text(json.dumps(report, indent=2) + "\n")
    verdict = "met" if ratio >= TARGET else "MISSED"
    print(f"Mail delivery — {MESSAGES:,} multipart messages × {ROUNDS} rounds to aiosmtpd")
    for label, name, rate in (
        ("raw smtplib, one connection", "raw", raw_median),
        ("outbox claim → send → mark ", "outbox", outbox_median),
    ):
        times = per_message[name]
        print(
            f"  {label}: {rate:6.0f} messages/s (median); per message "
            f"p50 {times['p50_ms']:.2f} ms, p95 {times['p95_ms']:.2f} ms"
        )
    print(f"  outbox / raw: {ratio} (target ≥ {TARGET}: {verdict})")


if __name__ == "__main__":
    main()
