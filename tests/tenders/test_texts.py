"""Publisher texts: HTML to plain text, first sentences, English or French."""

from tradeportal.tenders.texts import detect_language, first_sentence, plain_text


def test_html_becomes_plain_paragraphs():
    raw = "<p>The works&nbsp;comprise:</p><br /><p><strong>Design</strong> &amp; build</p>"
    assert plain_text(raw) == "The works comprise:\n\nDesign & build"


def test_plain_text_keeps_paragraphs_and_drops_blank_runs():
    assert plain_text(" First line.\r\n\r\n\r\n  Second   line. ") == "First line.\n\nSecond line."
    assert plain_text(None) == "" and plain_text(42) == ""


def test_the_first_sentence_stops_at_a_real_sentence_end():
    text = "Achat de télévision pour 3 salles de réunion. Hyg. du milieu - Soutien tech."
    assert first_sentence(text) == "Achat de télévision pour 3 salles de réunion."
    assert first_sentence("Lee Wharf No. 4 upgrade. Stage two") == "Lee Wharf No. 4 upgrade."
    assert first_sentence("Plans (16-1721). Suite") == "Plans (16-1721)."
    assert first_sentence("Only a title\nthen details") == "Only a title"


def test_a_long_first_sentence_is_shortened_at_a_word():
    sentence = first_sentence("word " * 100, limit=40)
    assert len(sentence) <= 40 and sentence.endswith("word…")


def test_english_and_french_are_told_apart_and_short_texts_are_not_guessed():
    assert detect_language("Supply of the generators for the stations and offices") == "en"
    assert detect_language("Achat de panneaux pour les véhicules et des ateliers") == "fr"
    assert detect_language("Munitions.") is None
    assert detect_language("") is None
