"""The alerts area's settings and their defaults (any config source overrides them)."""

from flask import Flask

DEFAULTS = {
    # Reminders go out this many days before a change enters into force.
    "ALERT_REMINDER_DAYS": 7,
    # Seconds a confirmation link, a sign-in link and an unsubscribe link keep working.
    "ALERTS_CONFIRM_MAX_AGE": 3 * 24 * 3600,
    "ALERTS_SIGN_IN_MAX_AGE": 3600,
    "ALERTS_UNSUBSCRIBE_MAX_AGE": 400 * 24 * 3600,
    # Sign-up and sign-in link requests per client address, and per email address (so nobody
    # can flood someone's mailbox from many addresses).
    "ALERTS_SIGN_UP_RATE_LIMIT": "5 per minute;30 per hour",
    "ALERTS_ADDRESS_RATE_LIMIT": "3 per hour",
    # Change events one fan-out pass processes (the rest wait for the next pass).
    "ALERTS_FANOUT_BATCH": 200,
    "ALERTS_MAX_SUBSCRIPTIONS": 300,
    "ALERTS_FEED_SIZE": 50,
}


def apply_defaults(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
