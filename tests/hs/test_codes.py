"""The one HS code normaliser: what it accepts, and what it refuses and how."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradeportal.hs.codes import MAX_RAW_LENGTH, InvalidHSCode, format_code, normalise_hs_code

ACCEPTED = {
    "0901": "0901",
    "09.01": "0901",
    "0901.21": "090121",
    "0901 21": "090121",
    "090121": "090121",
    "HS 0901.21.00": "09012100",
    "0901210000": "0901210000",
    "09": "09",
    "  0901.21  ": "090121",
    "hs:0901": "0901",
    "SH 0901.21": "090121",
    "HS code 0901": "0901",
    "0901-21": "090121",
    "０９０１．２１": "090121",  # full-width digits from East Asian keyboards
}


@pytest.mark.parametrize(("raw", "digits"), ACCEPTED.items())
def test_accepts_the_usual_ways_of_writing_a_code(raw, digits):
    assert normalise_hs_code(raw).digits == digits


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "Enter an HS code"),
        ("   ", "Enter an HS code"),
        ("HS", "Enter an HS code"),
        ("...", "needs digits"),
        ("09a1", "letters are not allowed"),
        ("coffee", "letters are not allowed"),
        ("1", "this one has 1"),
        ("090", "this one has 3"),
        ("09012", "this one has 5"),
        ("0901211", "this one has 7"),
        ("090121100", "this one has 9"),
        ("09012110000", "at most 10 digits"),
        ("0901/21", "only digits"),
        ("<script>", "letters are not allowed"),
        ("<>", "only digits"),
        ("9" * (MAX_RAW_LENGTH + 1), "too long"),
    ],
)
def test_refuses_with_a_message_saying_what_is_wrong(raw, says):
    with pytest.raises(InvalidHSCode) as caught:
        normalise_hs_code(raw)
    assert says in caught.value.message


def test_a_lost_leading_zero_gets_a_hint():
    with pytest.raises(InvalidHSCode) as caught:
        normalise_hs_code("90121")
    assert caught.value.hint is not None
    assert "0901.21" in caught.value.hint


def test_refuses_what_is_not_text():
    with pytest.raises(InvalidHSCode):
        normalise_hs_code(None)


@given(st.text(max_size=60))
def test_any_text_gives_a_code_or_a_clear_error(raw):
    try:
        code = normalise_hs_code(raw)
    except InvalidHSCode as error:
        assert error.message.strip()
        assert error.message.endswith((".", "?"))
    else:
        assert code.digits.isascii() and code.digits.isdigit()
        assert len(code.digits) in (2, 4, 6, 8, 10)


@given(st.text(alphabet="0123456789", min_size=1, max_size=14))
def test_digit_strings_are_accepted_exactly_at_valid_lengths(digits):
    if len(digits) in (2, 4, 6, 8, 10):
        assert normalise_hs_code(digits).digits == digits
    else:
        with pytest.raises(InvalidHSCode):
            normalise_hs_code(digits)


@given(
    st.text(alphabet="0123456789", min_size=1, max_size=5)
    .map(lambda n: n.zfill(2)[:2])
    .flatmap(
        lambda chapter: st.lists(
            st.text(alphabet="0123456789", min_size=2, max_size=2), max_size=4
        ).map(lambda pairs: chapter + "".join(pairs))
    ),
    st.sampled_from([".", " ", "", "-"]),
    st.sampled_from(["", "HS ", "hs", "SH:"]),
)
def test_formatting_and_prefixes_do_not_change_the_code(digits, separator, prefix):
    pairs = [digits[:4], *(digits[i : i + 2] for i in range(4, len(digits), 2))]
    written = prefix + separator.join(pairs)
    assert normalise_hs_code(written).digits == digits
    assert normalise_hs_code(format_code(digits)).digits == digits


@given(
    st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=3),
    st.text(alphabet="0123456789", min_size=2, max_size=6),
)
def test_letters_anywhere_are_refused(letters, digits):
    raw = digits[:2] + letters + digits[2:]
    with pytest.raises(InvalidHSCode):
        normalise_hs_code(raw)
