"""Every content type and field the CMS shows has a human name (translated in the catalog)."""

import pytest

from tradeportal.content.labels import (
    FIELD_LABELS,
    TYPE_DESCRIPTIONS,
    TYPE_LABELS,
    field_label,
    type_label,
)
from tradeportal.content.registry import CONTENT_TYPES


@pytest.fixture(scope="module")
def registered():
    from tradeportal import create_app  # registering the areas fills CONTENT_TYPES

    create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    return dict(CONTENT_TYPES)


def test_every_content_type_has_a_label_and_a_marked_description(registered):
    assert registered
    assert sorted(set(registered) - set(TYPE_LABELS)) == []
    missing = [
        name for name, kind in registered.items() if kind.description not in TYPE_DESCRIPTIONS
    ]
    assert missing == [], "add the new description to TYPE_DESCRIPTIONS (content/labels.py)"


def test_every_field_of_every_input_schema_has_a_label(registered):
    names = {name for kind in registered.values() for name in kind.input_schema().fields}
    assert sorted(names - set(FIELD_LABELS)) == []


def test_unknown_names_read_tidied_rather_than_raw():
    assert field_label("some_new_field") == "Some new field"
    assert type_label("new-things") == "New things"
