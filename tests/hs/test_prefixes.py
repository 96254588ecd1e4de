"""HS links are prefixes: inheritance down the tree, exclusions, and "applies via"."""

from hypothesis import given
from hypothesis import strategies as st

from tradeportal.hs.prefixes import prefixes_of, resolve_applicability

codes = st.sampled_from([2, 4, 6, 8, 10]).flatmap(
    lambda length: st.text(alphabet="0123456789", min_size=length, max_size=length)
)


def test_prefixes_of_a_subheading_are_its_chapter_heading_and_itself():
    assert prefixes_of("090121") == ["09", "0901", "090121"]
    assert prefixes_of("0901210010") == ["09", "0901", "090121", "09012100", "0901210010"]


def test_a_link_to_an_ancestor_applies_via_that_ancestor():
    applies = resolve_applicability("090121", [("coffee", "0901", False), ("tea", "0902", False)])
    assert applies == {"coffee": "0901"}


def test_the_most_specific_link_names_the_via():
    links = [("rule", "09", False), ("rule", "090121", False), ("rule", "0901", False)]
    assert resolve_applicability("090121", links) == {"rule": "090121"}


def test_an_exclusion_removes_its_subtree_but_not_its_siblings():
    links = [("rule", "0901", False), ("rule", "090190", True)]
    assert resolve_applicability("090121", links) == {"rule": "0901"}
    assert resolve_applicability("090190", links) == {}
    assert resolve_applicability("09019010", links) == {}
    # The heading page itself is not inside the excluded subheading.
    assert resolve_applicability("0901", links) == {"rule": "0901"}


def test_a_link_below_the_code_does_not_apply_to_it():
    assert resolve_applicability("0901", [("rule", "090121", False)]) == {}


@given(codes, st.data())
def test_applicability_is_exactly_prefix_inclusion_minus_exclusion(code, data):
    # Half the links are drawn from the code's own ancestry, so matches are common.
    candidates = st.sampled_from(prefixes_of(code)) | codes
    links = [("owner", data.draw(candidates), data.draw(st.booleans())) for _ in range(3)]
    applies = resolve_applicability(code, links)
    including = [
        p for p, excluded in ((p, e) for _, p, e in links) if not excluded and code.startswith(p)
    ]
    excluding = [p for _, p, excluded in links if excluded and code.startswith(p)]
    if including and not excluding:
        assert applies == {"owner": max(including, key=len)}
    else:
        assert applies == {}
