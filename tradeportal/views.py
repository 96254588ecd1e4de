"""Site-wide pages: the home page and the data provenance page."""

from flask import Blueprint, render_template
from sqlalchemy import select

from tradeportal.db import db
from tradeportal.hs.catalog import get_catalog
from tradeportal.seed import DataLoad
from tradeportal.validity import today

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    """Show the search box and the HS sections to browse."""
    day = today()
    edition = get_catalog().edition_on(day)
    return render_template("home.html", edition=edition, day=day)


@bp.get("/about/data")
def data_sources():
    """Show where the reference data comes from and when it was loaded."""
    loads = db.session.scalars(select(DataLoad).order_by(DataLoad.dataset)).all()
    return render_template("data_sources.html", loads=loads)
