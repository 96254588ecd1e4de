"""The French catalog is complete: every interface string has a French text that keeps its
placeholders, and none is a fuzzy guess. Built from the code, so a new string without French
fails here, not in front of a user."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "tradeportal" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings of the code now, extracted as `make translations` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "N_", "-o", str(pot), "."],
        cwd=ROOT, check=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def french():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="fr")


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def test_every_string_of_the_interface_has_french(extracted, french):
    missing = [
        message.id
        for message in extracted
        if message.id
        and (french.get(message.id) is None or not all(_forms(french.get(message.id))))
    ]
    assert missing == [], f"{len(missing)} strings without French; run `make translations`"


def test_no_french_text_is_a_fuzzy_guess(french):
    assert [message.id for message in french if message.id and message.fuzzy] == []


def test_french_keeps_every_placeholder(french):
    wrong = []
    for message in french:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for form in _forms(message):
            if form and sorted(PLACEHOLDER.findall(form)) != wanted:
                wrong.append((ids[0], form))
    assert wrong == []


def test_the_catalog_uses_two_plural_forms(french):
    # Babel proposes CLDR's three French forms; gettext's usual two are what we translate.
    assert french.num_plurals == 2
    assert all(len(message.string) == 2 for message in french if isinstance(message.id, tuple))
