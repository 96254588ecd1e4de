"""Wiring search into the app: the index store, the queue capture and the inline drain."""

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy.orm import Session

from tradeportal.db import db
from tradeportal.search import sources_content, sources_hs  # noqa: F401  (registration)
from tradeportal.search.backend import IndexStore, WriterBusy
from tradeportal.search.queue import drain, drain_requested, install_capture
from tradeportal.search.suggest import SuggestionCache

logger = logging.getLogger(__name__)
_KEY = "tradeportal.search"


@dataclass
class SearchExtension:
    store: IndexStore
    suggestions: SuggestionCache


def init_app(app: Flask) -> None:
    """Give the app its index store and drain queued changes after committing units."""
    root = app.config.get("SEARCH_INDEX_DIR") or str(Path(app.instance_path) / "index")
    app.extensions[_KEY] = SearchExtension(
        store=IndexStore(Path(root), writer_timeout=float(app.config["SEARCH_WRITER_TIMEOUT"])),
        suggestions=SuggestionCache(max_age=float(app.config["SEARCH_SUGGEST_MAX_AGE"])),
    )
    install_capture()

    @app.teardown_appcontext
    def _drain_inline(_error):
        # After the unit of work: its commit is done, so the drain reads committed data.
        if not drain_requested.get():
            return
        drain_requested.set(False)
        if app.config["SEARCH_DRAIN_INLINE"]:
            drain_now(wait=float(app.config["SEARCH_INLINE_DRAIN_WAIT"]))


def drain_now(wait: float) -> None:
    """Drain the queue in this process; failures leave the changes queued, never raise."""
    session = Session(bind=db.engine)
    try:
        drain(
            session,
            search_store(),
            batch=int(current_app.config["SEARCH_DRAIN_BATCH"]),
            timeout=wait,
        )
    except WriterBusy:
        logger.info("search index busy; queued changes wait for the next drain")
    except Exception:
        logger.exception("inline search drain failed; the changes stay queued")
        session.rollback()
    finally:
        session.close()


def search_store() -> IndexStore:
    return current_app.extensions[_KEY].store


def suggestion_cache() -> SuggestionCache:
    return current_app.extensions[_KEY].suggestions
