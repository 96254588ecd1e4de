"""Agreements, preference schemes and rules of origin as content types (import and export)."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import run_cli
from tests.countries.helpers import table_rows, text_of
from tradeportal.agreements.models import (
    AgreementParty,
    OriginRule,
    OriginRuleSet,
    PreferenceScheme,
    SchemeCountry,
    TradeAgreement,
)
from tradeportal.agreements.rules_of_origin import UK_TARIFF_SITE as SITE
from tradeportal.agreements.rules_of_origin import tidy_link
from tradeportal.agreements.schemas import COMPACT_RULE, compact_rule, parse_rule
from tradeportal.agreements.services import load_agreements_reference
from tradeportal.db import db

TABLES = (
    TradeAgreement,
    AgreementParty,
    PreferenceScheme,
    SchemeCountry,
    OriginRuleSet,
    OriginRule,
)
CECPA = "India - Mauritius Comprehensive Economic Cooperation and Partnership Agreement"
AGREEMENT = {
    "name": CECPA,
    "agreement_type": "FTA & EIA",
    "coverage": "Goods & Services",
    "status": "In Force",
    "signed_on": "2021-02-22",
    "entry_into_force_goods_on": "2021-04-01",
    "valid_from": "2021-04-01",
    "parties": ["MUS", "IND | India"],
    "source_url": "https://commerce.gov.in/international-trade/trade-agreements/",
    "issued_by": "Ministry of Commerce and Industry, India",
}
SCHEME = {
    "code": "mus-demo",
    "title": "Illustrative scheme for Mauritian goods",
    "market_iso3": "GBR",
    "countries": ["MU", "SYC", "EU"],
    "proofs": ["Origin declaration | https://www.gov.uk/guidance/get-proof-of-origin"],
    "links": [{"text": "Guidance", "url": "https://www.gov.uk/guidance"}],
    "valid_from": "2024-01-01",
    "is_demo": True,
}
RULE_SET = {
    "scheme": "esa",
    "heading": "ex 0901",
    "code_min": "0901210000",
    "code_max": "0901219999",
    "subdivision": "Roasted coffee, not decaffeinated (illustrative)",
    "rules": [
        {"text": "Roasting of green coffee of heading 0901; blending allowed.", "rule_class": "WO"},
        {"text": "Manufacture from materials of any heading.", "operator": "or"},
    ],
    "is_demo": True,
}


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["content", *args])


def write_json(tmp_path, type_name, items):
    path = tmp_path / f"{type_name}.json"
    path.write_text(json.dumps({"type": type_name, "items": items}), encoding="utf-8")
    return path


def write_csv(tmp_path, type_name, header, rows):
    path = tmp_path / f"{type_name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def snapshot(app) -> dict:
    with app.app_context():
        return table_rows(*TABLES)


def agreement_parties(app, name: str) -> list[tuple]:
    with app.app_context():
        statement = (
            select(AgreementParty.wto_name, AgreementParty.country_iso3, AgreementParty.group_code)
            .join(TradeAgreement)
            .where(TradeAgreement.name == name)
            .order_by(AgreementParty.position)
        )
        return [tuple(row) for row in db.session.execute(statement)]


def test_the_types_are_listed(app):
    listed = run_cli(app, "content", "types").output
    for name in ("agreements", "origin-schemes", "origin-rules"):
        assert f"\n{name} " in "\n" + listed


# --- agreements ---------------------------------------------------------------------------


def test_an_imported_agreement_shows_on_the_product_page(app, client, tmp_path):
    page = "/hs/090121?market=IND&origin=MUS"
    assert CECPA not in text_of(client.get(page))
    result = run_cli(app, "content", "import", str(write_json(tmp_path, "agreements", [AGREEMENT])))
    assert "agreements: 1 created, 0 updated, 0 unchanged." in result.output
    assert agreement_parties(app, CECPA) == [("Mauritius", "MUS", None), ("India", "IND", None)]
    response = client.get(page)
    assert response.status_code == 200
    assert CECPA in text_of(response)


def test_parties_are_replaced_on_update_and_groups_count_for_members(app, client, tmp_path):
    run_cli(app, "content", "import", str(write_json(tmp_path, "agreements", [AGREEMENT])))
    changed = dict(AGREEMENT, parties=["MUS", "EU | European Union | 2021-04-01"])
    result = run_cli(app, "content", "import", str(write_json(tmp_path, "agreements", [changed])))
    assert "agreements: 0 created, 1 updated, 0 unchanged." in result.output
    assert agreement_parties(app, CECPA) == [
        ("Mauritius", "MUS", None),
        ("European Union", None, "EU"),
    ]
    assert CECPA in text_of(client.get("/hs/090121?market=FRA&origin=MUS"))
    assert CECPA not in text_of(client.get("/hs/090121?market=IND&origin=MUS"))


def test_imported_parties_survive_a_reload_of_the_wto_list(app, tmp_path):
    run_cli(app, "content", "import", str(write_json(tmp_path, "agreements", [AGREEMENT])))
    with app.app_context():
        report = load_agreements_reference(db.session, Path(app.config["DATA_DIR"]))
        db.session.commit()
        assert report.counts["agreement parties"]["deleted"] == 0
    assert agreement_parties(app, CECPA) == [("Mauritius", "MUS", None), ("India", "IND", None)]


def test_agreements_import_from_csv(app, tmp_path):
    header = ["name", "status", "valid_from", "valid_to", "inactive_on", "parties"]
    rows = [
        [CECPA, "In Force", "2021-04-01", "", "", "MUS;IND"],
        [
            "Mauritius - Test Partnership",
            "Inactive",
            "2001-01-01",
            "2010-12-31",
            "2011-01-01",
            "MUS | Mauritius | 2001-01-01;SYC",
        ],
        ["Mauritius - Future Partnership", "Early announcement-Signed", "", "", "", "MUS; JPN"],
    ]
    result = run_cli(app, "content", "import", str(write_csv(tmp_path, "agreements", header, rows)))
    assert "agreements: 3 created, 0 updated, 0 unchanged." in result.output
    assert agreement_parties(app, "Mauritius - Test Partnership") == [
        ("Mauritius", "MUS", None),
        ("Seychelles", "SYC", None),
    ]
    with app.app_context():
        future = db.session.scalar(
            select(TradeAgreement).where(TradeAgreement.name == "Mauritius - Future Partnership")
        )
        assert future.valid_from is None
        assert not future.is_valid_on(date(2030, 1, 1))


def test_an_unknown_country_code_fails_the_whole_import(app, tmp_path):
    before = snapshot(app)
    items = [AGREEMENT, dict(AGREEMENT, name="Mauritius - Nowhere", parties=["MUS", "XYZ"])]
    result = invoke(app, "import", str(write_json(tmp_path, "agreements", items)))
    assert result.exit_code != 0
    assert (
        "item 2: parties.2.code: XYZ is neither a known ISO3 country code nor a country group"
        in result.output
    )
    assert "nothing was imported" in result.output
    assert snapshot(app) == before


def test_bad_lines_of_an_agreements_csv_are_all_reported_and_nothing_is_saved(app, tmp_path):
    before = snapshot(app)
    header = ["name", "status", "valid_from", "parties"]
    rows = [
        [CECPA, "In Force", "2021-04-01", "MUS;IND"],
        ["Mauritius - Bad Date", "In Force", "2021-02-30", "MUS;IND"],
        ["Mauritius - Bad Code", "In Force", "2021-04-01", "MUS;mu"],
        ["Mauritius - Bad Status", "Ratified", "2021-04-01", "MUS;IND"],
    ]
    result = invoke(app, "import", str(write_csv(tmp_path, "agreements", header, rows)))
    assert result.exit_code != 0
    assert "line 3: valid_from: 2021-02-30 is not a real date" in result.output
    assert "line 4: parties.2.code: Not a valid code, e.g. MUS or EU." in result.output
    assert "line 5: status: Must be one of" in result.output
    assert snapshot(app) == before


# --- preference schemes and rules of origin --------------------------------------------------


def test_a_scheme_imports_from_json_and_csv(app, tmp_path):
    result = run_cli(
        app, "content", "import", str(write_json(tmp_path, "origin-schemes", [SCHEME]))
    )
    assert "origin-schemes: 1 created, 0 updated, 0 unchanged." in result.output
    with app.app_context():
        scheme = db.session.scalar(
            select(PreferenceScheme).where(PreferenceScheme.code == "mus-demo")
        )
        assert [(c.source_code, c.country_iso3, c.group_code) for c in scheme.countries] == [
            ("EU", None, "EU"),
            ("MU", "MUS", None),
            ("SYC", "SYC", None),
        ]
        assert scheme.proofs == [
            {
                "summary": "Origin declaration",
                "url": "https://www.gov.uk/guidance/get-proof-of-origin",
            }
        ]
    header = ["code", "title", "market_iso3", "countries", "links", "valid_from"]
    rows = [
        ["mus-demo", "Renamed", "GBR", "MU", "Guidance | https://www.gov.uk/x;Other", "2024-01-01"]
    ]
    result = run_cli(
        app, "content", "import", str(write_csv(tmp_path, "origin-schemes", header, rows))
    )
    assert "origin-schemes: 0 created, 1 updated, 0 unchanged." in result.output
    with app.app_context():
        scheme = db.session.scalar(
            select(PreferenceScheme).where(PreferenceScheme.code == "mus-demo")
        )
        assert scheme.title == "Renamed"
        assert [c.source_code for c in scheme.countries] == ["MU"]
        assert scheme.links == [
            {"text": "Guidance", "url": "https://www.gov.uk/x"},
            {"text": "Other", "url": None},
        ]


def test_an_unknown_scheme_country_fails_the_import(app, tmp_path):
    before = snapshot(app)
    items = [dict(SCHEME, countries=["MU", "QQ"])]
    result = invoke(app, "import", str(write_json(tmp_path, "origin-schemes", items)))
    assert result.exit_code != 0
    assert "item 1: countries.2: QQ is not a known country" in result.output
    assert snapshot(app) == before


def test_an_imported_rule_set_shows_on_the_product_page(app, client, tmp_path):
    page = "/hs/090121?market=GBR&origin=MUS"
    assert "Roasting of green coffee" not in text_of(client.get(page))
    result = run_cli(
        app, "content", "import", str(write_json(tmp_path, "origin-rules", [RULE_SET]))
    )
    assert "origin-rules: 1 created, 0 updated, 0 unchanged." in result.output
    with app.app_context():
        rule_set = db.session.scalar(
            select(OriginRuleSet).where(OriginRuleSet.code_min == "0901210000")
        )
        scheme = rule_set.scheme
        assert (rule_set.chapter, rule_set.valid_from) == (9, scheme.valid_from)
        assert rule_set.position == 727  # after the 726 published rule sets
        assert [(r.position, r.rule_class, r.operator) for r in rule_set.rules] == [
            (1, "WO", None),
            (2, None, "or"),
        ]
    text = text_of(client.get(page))
    first = "Roasting of green coffee of heading 0901; blending allowed."
    assert f"{first} WO OR Manufacture from materials of any heading." in text


def test_rule_sets_import_from_csv_with_rules_in_one_cell(app, tmp_path):
    header = ["scheme", "heading", "code_min", "code_max", "subdivision", "rules"]
    cell = "[WO] Roasting of green coffee; blending allowed. | or [CTH; MAXNOM] Any heading."
    rows = [["esa", "ex 0901", "0901210000", "0901219999", "Roasted coffee", cell]]
    result = run_cli(
        app, "content", "import", str(write_csv(tmp_path, "origin-rules", header, rows))
    )
    assert "origin-rules: 1 created, 0 updated, 0 unchanged." in result.output
    with app.app_context():
        rule_set = db.session.scalar(
            select(OriginRuleSet).where(OriginRuleSet.subdivision == "Roasted coffee")
        )
        assert [(r.text, r.rule_class, r.operator) for r in rule_set.rules] == [
            ("Roasting of green coffee; blending allowed.", "WO", None),
            ("Any heading.", "CTH; MAXNOM", "or"),
        ]
    # The same line again is the same rule set: nothing new.
    result = run_cli(
        app, "content", "import", str(write_csv(tmp_path, "origin-rules", header, rows))
    )
    assert "origin-rules: 0 created, 0 updated, 1 unchanged." in result.output


def test_a_range_whose_min_is_above_its_max_fails_the_whole_import(app, tmp_path):
    before = snapshot(app)
    header = ["scheme", "heading", "code_min", "code_max", "rules"]
    rows = [
        ["esa", "ex 0901", "0901210000", "0901219999", "Any heading."],
        ["esa", "0902", "0902000000", "0901999999", "Any heading."],
        ["esa", "0903", "090300000", "0903999999", ""],
    ]
    result = invoke(app, "import", str(write_csv(tmp_path, "origin-rules", header, rows)))
    assert result.exit_code != 0
    assert "line 3: code_max: 0901999999 is below code_min 0902000000." in result.output
    assert "line 4: code_min: Not a valid code, e.g. 0901000000." in result.output
    assert "line 4: rules: Missing data for required field." in result.output
    assert snapshot(app) == before


def test_an_unknown_scheme_fails_the_whole_import(app, tmp_path):
    before = snapshot(app)
    items = [RULE_SET, dict(RULE_SET, scheme="nowhere")]
    result = invoke(app, "import", str(write_json(tmp_path, "origin-rules", items)))
    assert result.exit_code != 0
    assert "item 2: scheme: no preference scheme 'nowhere'; import origin-schemes first." in (
        result.output
    )
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ({"text": "Guide", "url": "/news/stories/dcts"}, ("Guide", f"{SITE}/news/stories/dcts")),
        (
            {"text": "https://www.gov.uk/guidance/x", "url": "Trade with Israel"},
            ("Trade with Israel", "https://www.gov.uk/guidance/x"),
        ),
        ({"text": "", "url": ""}, None),
        ({"text": "No address", "url": None}, ("No address", None)),
    ],
)
def test_the_loader_tidies_the_scheme_links_the_import_would_refuse(link, expected):
    tidied = tidy_link(link)
    assert (tidied and (tidied["text"], tidied["url"])) == expected


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ["agreements", "origin-schemes", "origin-rules"])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_changes_nothing(app, tmp_path, type_name, fmt):
    before = snapshot(app)
    out = tmp_path / f"{type_name}.{fmt}"
    run_cli(app, "content", "export", type_name, "--format", fmt, "--output", str(out))
    result = run_cli(app, "content", "import", str(out))
    assert f"{type_name}: 0 created, 0 updated," in result.output
    assert snapshot(app) == before


def test_the_rules_export_as_objects_in_json_and_one_cell_in_csv(app):
    exported = json.loads(run_cli(app, "content", "export", "origin-rules").output)
    two_rules = next(item for item in exported["items"] if len(item["rules"]) == 2)
    assert set(two_rules["rules"][1]) == {"text", "rule_class", "operator"}
    assert two_rules["rules"][1]["operator"] == "or"
    text = run_cli(app, "content", "export", "origin-rules", "--format", "csv").output
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    assert len(rows) == len(exported["items"])
    assert any(" | or [" in row["rules"] for row in rows)


# --- the compact rule form -------------------------------------------------------------------

rule_texts = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="|"),
        min_size=1,
    )
    .map(str.strip)
    .filter(bool)
)


@given(
    text=rule_texts,
    classes=st.none() | st.from_regex(r"[A-Z]{2,8}(; [A-Z]{2,8})?", fullmatch=True),
    operator=st.sampled_from([None, "or", "and"]),
)
def test_a_compact_rule_reads_back_as_written(text, classes, operator):
    rule = {"text": text, "rule_class": classes, "operator": operator}
    parsed = parse_rule(compact_rule(rule))
    assert parsed.get("text") == text
    assert parsed.get("rule_class") == classes
    assert parsed.get("operator") == operator


def test_a_text_that_looks_like_the_compact_form_is_protected():
    rule = {"text": "or [CTH] looks structured", "rule_class": None, "operator": None}
    assert COMPACT_RULE.fullmatch(rule["text"])
    assert compact_rule(rule) == "[] or [CTH] looks structured"
    assert parse_rule(compact_rule(rule)) == {"text": "or [CTH] looks structured"}
