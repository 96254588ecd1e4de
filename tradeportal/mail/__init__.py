"""Outbound email: the outbox, its delivery by file or SMTP, retries and suppressions."""
