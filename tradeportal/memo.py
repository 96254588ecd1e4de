"""Remember small lookups for one unit of work (a request or a CLI command).

The product page asks the same questions from several sections — which schedules a market
applies, which groups a country belongs to — and each SQL statement costs far more in
Python than in SQLite. Answers live in ``flask.g`` and are forgotten at the first flush,
so code that writes and then reads again never sees a stale answer.
"""

import functools
from collections.abc import Callable

from flask import g, has_app_context

_KEY = "_memo"


def per_unit_of_work(function: Callable) -> Callable:
    """Cache ``function``'s result per (positional, hashable) arguments for this unit of work.

    Callers must treat the result as read-only: it is shared by every caller of the request.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args):
        if not has_app_context():
            return function(*args)
        memo = g.setdefault(_KEY, {})
        key = (name, args)
        if key not in memo:
            memo[key] = function(*args)
        return memo[key]

    return wrapper


def forget(*_args) -> None:
    """Drop every remembered answer (called after each flush: the data may have moved)."""
    if has_app_context():
        g.pop(_KEY, None)
