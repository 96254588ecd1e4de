"""Content flagged is_demo is labelled "Illustrative" wherever it is shown."""

import re

from sqlalchemy import update

from tests.hs.test_views import text_of
from tradeportal.agreements.models import OriginRuleSet, PreferenceScheme, TradeAgreement
from tradeportal.countries.models import EuAccessProfile
from tradeportal.db import db
from tradeportal.tariffs.models import TariffLine

LABEL = "Illustrative"


def flag_everything_as_demo(app) -> None:
    with app.app_context():
        for model in (TradeAgreement, PreferenceScheme, OriginRuleSet, EuAccessProfile, TariffLine):
            db.session.execute(update(model).values(is_demo=True))
        db.session.commit()


def section_text(response, key: str) -> str:
    page = response.get_data(as_text=True)
    match = re.search(rf'<section class="product-section" id="{key}">(.*?)</section>', page, re.S)
    assert match, f"no {key} section"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_real_data_carries_no_label_until_flagged(client, app):
    response = client.get("/hs/090121?market=GBR&origin=MUS")
    for key in ("agreements", "rules_of_origin"):
        assert LABEL not in section_text(response, key)
    flag_everything_as_demo(app)
    response = client.get("/hs/090121?market=GBR&origin=MUS")
    for key in ("agreements", "rules_of_origin", "tariffs"):
        assert LABEL in section_text(response, key), key


def test_the_home_regulations_section_is_labelled(client):
    response = client.get("/hs/090121?market=GBR&origin=MUS")
    assert LABEL in section_text(response, "regulations")


def test_flagged_agreements_schemes_and_eu_access_are_labelled_on_their_pages(client, app):
    assert LABEL not in text_of(client.get("/countries/MDG"))
    flag_everything_as_demo(app)
    for path in ("/agreements", "/origin/schemes", "/origin/schemes/esa", "/countries/MDG"):
        assert LABEL in text_of(client.get(path)), path
