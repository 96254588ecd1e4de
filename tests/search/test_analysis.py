"""Analyzers, negation stripping on real HS texts, and reading what people type."""

import csv
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeportal.search.analysis import (
    LANGUAGE_ANALYZERS,
    analyze,
    analyze_words,
    english_analyzer,
    french_analyzer,
    plain_analyzer,
    strip_negations_en,
    strip_negations_fr,
    with_joined_compounds,
)
from tradeportal.search.highlight import _matches
from tradeportal.search.query import (
    Unit,
    build_query,
    fuzzy_distance,
    normalise_query,
    split_units,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "hs"


@cache
def hs2022() -> dict[str, tuple[str, str]]:
    """The real HS 2022 texts: code -> (English, French label)."""
    french = {}
    with (DATA / "hs2022_fr_labels.csv").open(encoding="utf-8-sig") as handle:
        french = {row["hscode"]: row["name_fr"] for row in csv.DictReader(handle)}
    with (DATA / "hs2022.csv").open(encoding="utf-8-sig") as handle:
        return {
            row["hscode"]: (row["description"], french.get(row["hscode"], ""))
            for row in csv.DictReader(handle)
        }


def en_terms(text):
    return analyze(english_analyzer(), text)


def fr_terms(text):
    return analyze(french_analyzer(), text)


def test_french_folds_accents_before_stemming():
    assert fr_terms("cafés torréfiés") == fr_terms("cafe torrefie") == ["caf", "torref"]
    # Feminine participles stem like the masculine ones once folded.
    assert fr_terms("crevettes congelées") == fr_terms("crevette congelé")
    assert fr_terms("fleurs coupées") == fr_terms("Fleurs coupés")


def test_the_french_tea_is_not_an_english_stop_word():
    assert fr_terms("thé") == ["the"]
    assert fr_terms("Thé vert") == fr_terms("the vert")
    # English drops its own article, and French drops its own articles.
    assert en_terms("the tea") == ["tea"]
    assert fr_terms("les thés de la maison") == ["the", "maison"]


def test_english_stems_plurals_and_keeps_codes_whole():
    assert en_terms("Roasted Coffees") == ["roast", "coffe"]
    assert en_terms("item 0901.21") == ["item", "0901.21"]
    assert analyze(plain_analyzer(), "Café Torréfié") == ["cafe", "torrefie"]


def test_hyphenated_words_are_also_indexed_joined():
    assert "tshirt" in en_terms(with_joined_compounds("T-shirts, singlets"))
    assert with_joined_compounds("Coffee") == "Coffee"


@pytest.mark.parametrize(
    ("code", "kept", "dropped"),
    [
        # "not roasted or decaffeinated" is what 0901.11 is not.
        ("090111", ["coffe"], ["roast", "decaffein"]),
        ("090121", ["coffe", "roast"], ["decaffein"]),
        ("610990", ["shirt", "textil"], ["cotton"]),
        ("010129", ["hors", "live"], ["pure", "breed"]),
        ("520100", ["cotton"], ["card", "comb"]),
        ("030617", ["shrimp", "prawn", "frozen", "shell"], ["cold", "varieti"]),
        ("960719", ["slide", "fasten"], ["chain", "scoop"]),
    ],
)
def test_negations_are_dropped_from_real_english_hs_texts(code, kept, dropped):
    terms = en_terms(strip_negations_en(hs2022()[code][0]))
    assert all(term in terms for term in kept), terms
    assert not any(term in terms for term in dropped), terms


def test_whether_or_not_and_quantities_are_not_negations():
    heading = hs2022()["0901"][0]  # "Coffee, whether or not roasted or decaffeinated; …"
    assert strip_negations_en(heading) == heading
    fabric = hs2022()["5208"][0]  # "… weighing not more than 200 g/m2"
    assert strip_negations_en(fabric) == fabric


def test_parenthesised_exclusions_run_to_the_closing_parenthesis():
    stripped = strip_negations_en("Live horses (excl. for slaughter, pure-bred for breeding)")
    assert en_terms(stripped) == ["live", "hors"]


def test_non_words_are_dropped_but_the_rest_of_the_clause_stays():
    text = hs2022()["220299"][0]  # "Non-alcoholic beverages; other than non-alcoholic beer…"
    terms = en_terms(strip_negations_en(text))
    assert "beverag" in terms
    assert "alcohol" not in terms and "beer" not in terms


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("Café, même torréfié ou décaféiné; coques — non décaféiné", ["caf", "torref"], []),
        ("Bière (à l'exclusion de la bière sans alcool), en bouteilles", ["bier", "bouteil"], []),
        ("Tissus autres que de coton, teints", ["tissus", "teint"], ["coton"]),
        ("Machines non dénommées ni comprises ailleurs", ["machin"], ["denomm", "compris"]),
        ("Légumes, sauf les pommes de terre; frais", ["legum", "frais"], ["pomm"]),
    ],
)
def test_negations_are_dropped_from_french_texts(text, kept, dropped):
    terms = fr_terms(strip_negations_fr(text))
    assert all(term in terms for term in kept), terms
    assert not any(term in terms for term in dropped), terms
    if "exclusion" in text:
        assert terms.count("bier") == 1  # "sans alcool" beer is excluded


def test_a_long_query_is_cut_and_control_characters_become_spaces():
    text, truncated = normalise_query("coffee\x00beans\u200b\x1f" + "x" * 500, 200)
    assert truncated and len(text) <= 200
    assert text.startswith("coffee beans ")
    assert normalise_query("   ", 200) == ("", False)
    assert normalise_query(None, 200) == ("", False)


def test_paired_quotes_make_phrases_and_a_lone_quote_is_dropped():
    assert split_units('"roasted coffee" beans') == [
        Unit("roasted coffee", phrase=True),
        Unit("beans"),
    ]
    assert split_units('"roasted coffee') == [Unit("roasted"), Unit("coffee")]
    assert split_units("« café torréfié »") == [Unit("café torréfié", phrase=True)]
    assert split_units("t-shirts (cotton) AND *") == [
        Unit("t-shirts"),
        Unit("cotton"),
        Unit("AND"),
    ]


def test_stop_words_are_optional_but_the_french_tea_is_not():
    assert Unit("the").optional and Unit("de").optional and Unit("or").optional
    assert not Unit("thé").optional and not Unit("coffee").optional


def test_typo_distance_grows_with_the_word():
    assert [fuzzy_distance(w) for w in ("tea", "rice", "suger", "bananna", "t-shirt")] == [
        0,
        1,
        1,
        2,
        0,
    ]


@given(st.text(max_size=300))
def test_any_input_normalises_and_builds_a_query_or_none(raw):
    text, _truncated = normalise_query(raw, 200)
    assert len(text) <= 200
    assert not any(ord(char) < 32 for char in text)
    build_query(split_units(text))  # never raises
    build_query(split_units(text), fuzzy=True)


def _spans_in_context(text: str, language: str) -> list[tuple[int, int, str]]:
    """Every term of ``text`` with its place, the analyzer run over the whole text."""
    analyzer = english_analyzer() if language == "en" else french_analyzer()
    return [
        (token.startchar, token.endchar, token.text)
        for token in analyzer(text, chars=True, mode="query")
    ]


def _marked_spans(text: str, language: str) -> list[tuple[int, int, str]]:
    """What highlighting finds when every term of the text is searched."""
    terms = {term for _, _, term in _spans_in_context(text, language)}
    return [(start, end, text[start:end]) for start, end in _matches(text, terms, language)]


def test_highlighting_word_by_word_finds_what_the_analyzer_finds_in_context():
    # Highlighting and queries analyse each word once per process instead of whole texts.
    texts = [
        (text, language)
        for pair in hs2022().values()
        for text, language in zip(pair, ("en", "fr"), strict=True)
        if text
    ]
    assert len(texts) > 8000
    for text, language in texts:
        expected = _spans_in_context(text, language)
        assert [(start, end) for start, end, _ in _marked_spans(text, language)] == [
            (start, end) for start, end, _ in expected
        ], text
        assert analyze_words(text, language) == analyze(LANGUAGE_ANALYZERS[language](), text), text


@given(st.text(max_size=300), st.sampled_from(["en", "fr"]))
def test_highlighting_word_by_word_agrees_on_any_text(text, language):
    expected = [(start, end) for start, end, _ in _spans_in_context(text, language)]
    assert [(start, end) for start, end, _ in _marked_spans(text, language)] == expected
    assert analyze_words(text, language) == analyze(LANGUAGE_ANALYZERS[language](), text)
