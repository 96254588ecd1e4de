"""What applies to an HS code: prefixes, exclusions, validity, direction, partners."""

from datetime import date

import pytest
from sqlalchemy import event

from tests.regulations.conftest import procedure_record, regulation_record
from tradeportal.db import db
from tradeportal.regulations.models import Direction
from tradeportal.regulations.queries import applicable_procedures, applicable_regulations

DAY = date(2026, 6, 1)


def found(code, day=DAY, country="MUS", **kwargs) -> dict[str, str]:
    """Map slug -> via prefix of what applies."""
    return {
        regulation.slug: via
        for regulation, via in applicable_regulations(code, day, country, **kwargs)
    }


def test_a_chapter_regulation_applies_to_a_subheading_via_the_chapter(store):
    store.regulations(regulation_record("coffee-chapter", ["09"]))
    assert found("090121") == {"coffee-chapter": "09"}
    assert found("0901") == {"coffee-chapter": "09"}
    assert found("09") == {"coffee-chapter": "09"}
    assert found("100630") == {}


def test_the_most_specific_link_is_named_and_a_deeper_link_does_not_apply_above(store):
    store.regulations(
        regulation_record("both", ["09", "0901"]),
        regulation_record("deep", ["090121"]),
    )
    assert found("090121") == {"both": "0901", "deep": "090121"}
    assert found("090210") == {"both": "09"}
    # A rule on a subheading says nothing about its heading as a whole.
    assert found("0901") == {"both": "0901"}


def test_codes_are_read_in_any_spelling(store):
    store.regulations(regulation_record("coffee", ["0901"]))
    assert found("0901.21") == {"coffee": "0901"}
    assert found("HS 0901 21") == {"coffee": "0901"}


def test_an_exclusion_removes_the_subtree_and_its_descendants_but_not_siblings(store):
    store.regulations(regulation_record("beans", ["0901"], hs_exclusions=["090190"]))
    assert found("090190") == {}
    assert found("09019010") == {}  # a national line under the excluded subheading
    assert found("0901901000") == {}
    assert found("090121") == {"beans": "0901"}
    assert found("090111") == {"beans": "0901"}
    assert found("0901") == {"beans": "0901"}


def test_an_exclusion_only_affects_its_own_regulation(store):
    store.regulations(
        regulation_record("beans", ["0901"], hs_exclusions=["090190"]),
        regulation_record("all-coffee", ["0901"]),
    )
    assert found("090190") == {"all-coffee": "0901"}


@pytest.mark.parametrize(
    ("day", "applies"),
    [
        (date(2025, 2, 28), False),  # the day before valid_from
        (date(2025, 3, 1), True),  # valid_from itself
        (date(2025, 3, 15), True),
        (date(2025, 3, 31), True),  # valid_to itself: the last day in force
        (date(2025, 4, 1), False),  # the day after valid_to
    ],
)
def test_validity_window_includes_both_ends(store, day, applies):
    store.regulations(
        regulation_record("march", ["03"], valid_from="2025-03-01", valid_to="2025-03-31"),
        regulation_record("open-ended", ["03"], valid_from="2025-03-01"),
    )
    result = found("030389", day=day)
    assert ("march" in result) is applies
    assert ("open-ended" in result) is (day >= date(2025, 3, 1))


def test_a_regulation_starting_in_the_future_is_not_shown_before(store):
    store.regulations(regulation_record("label-2027", ["2204"], valid_from="2027-01-01"))
    assert found("220421", day=date(2026, 12, 31)) == {}
    assert found("220421", day=date(2027, 1, 1)) == {"label-2027": "2204"}


def test_direction_filters_and_accepts_the_enum_or_its_value(store):
    store.regulations(
        regulation_record("in", ["03"], direction="import"),
        regulation_record("out", ["03"], direction="export"),
        regulation_record("through", ["03"], direction="transit"),
    )
    assert set(found("0303")) == {"in", "out", "through"}
    assert set(found("0303", direction="export")) == {"out"}
    assert set(found("0303", direction=Direction.IMPORT)) == {"in"}
    with pytest.raises(ValueError):
        found("0303", direction="sideways")


def test_partner_limited_rules_apply_only_to_their_partners(store):
    store.regulations(
        regulation_record("eu-only", ["03"], direction="export", partners=["FRA", "DEU"]),
        regulation_record("everyone", ["03"], direction="export"),
    )
    assert set(found("0303", partner="FRA")) == {"eu-only", "everyone"}
    assert set(found("0303", partner="USA")) == {"everyone"}
    # Without a partner everything is listed; the partner list says for whom.
    listed = dict(applicable_regulations("0303", DAY, "MUS"))
    assert {reg.slug for reg in listed} == {"eu-only", "everyone"}
    limited = next(reg for reg in listed if reg.slug == "eu-only")
    assert limited.partner_codes == ("DEU", "FRA")


def test_other_countries_rules_are_not_the_home_countrys(store):
    store.regulations(
        regulation_record("seychelles", ["03"], country_iso3="SYC"),
        regulation_record("mauritius", ["03"]),
    )
    assert set(found("0303")) == {"mauritius"}
    assert set(found("0303", country="SYC")) == {"seychelles"}


def test_results_come_in_direction_then_kind_then_title_order(store):
    store.regulations(
        regulation_record("b-export", ["03"], direction="export", title_en="A export"),
        regulation_record("z-permit", ["03"], kind="licence_permit", title_en="Z permit"),
        regulation_record("a-sps", ["03"], kind="sps", title_en="A sps"),
        regulation_record("b-sps", ["03"], kind="sps", title_en="B sps"),
    )
    slugs = [reg.slug for reg, _ in applicable_regulations("0303", DAY, "MUS")]
    assert slugs == ["z-permit", "a-sps", "b-sps", "b-export"]


def count_statements(app, action) -> int:
    statements = []

    def record(*_args, **_kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_number_of_regulations(store):
    def many(start, count):
        return [
            regulation_record(
                f"rule-{i}",
                ["03", f"03{i % 8 + 1:02d}"],
                partners=["GBR"] if i % 2 else [],
                documents=[{"name": f"Doc {i}", "issuing_agency": "test-agency"}],
            )
            for i in range(start, start + count)
        ]

    def read_like_the_product_page():
        for regulation, _ in applicable_regulations("030389", DAY, "MUS", partner="GBR"):
            assert regulation.agency.name_en
            assert regulation.partner_codes in ((), ("GBR",))
            assert regulation.documents[0].issuing_agency.slug == "test-agency"

    store.regulations(*many(0, 2))
    db.session.expunge_all()
    few = count_statements(store.app, read_like_the_product_page)
    store.regulations(*many(2, 40))
    db.session.expunge_all()
    lots = count_statements(store.app, read_like_the_product_page)
    assert len(found("030389")) == 42
    assert lots == few


def test_procedures_apply_through_prefixes_with_exclusions_and_dates(store):
    store.regulations(regulation_record("fish-rule", ["03"]))
    store.procedures(
        procedure_record("fish-import", ["03"], hs_exclusions=["0301"], regulations=["fish-rule"]),
        procedure_record("fish-export", ["0303"], direction="export", valid_to="2026-05-31"),
    )

    def procedures(code, day=DAY, **kwargs):
        return {p.slug: via for p, via in applicable_procedures(code, day, "MUS", **kwargs)}

    assert procedures("030389") == {"fish-import": "03"}
    assert procedures("030389", day=date(2026, 5, 31)) == {
        "fish-import": "03",
        "fish-export": "0303",
    }
    assert procedures("030111") == {}
    assert procedures("030389", day=date(2026, 5, 31), direction="export") == {
        "fish-export": "0303"
    }
    procedure, _ = applicable_procedures("030389", DAY, "MUS")[0]
    assert [step.position for step in procedure.steps] == [1, 2]
    assert [step.action for step in procedure.steps] == ["Apply", "Wait"]
    assert procedure.steps[0].agency.slug == "test-agency"
    assert [regulation.slug for regulation in procedure.regulations] == ["fish-rule"]
