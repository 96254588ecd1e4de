"""The judged query set: each query must put an expected code in its top three HS results.

A result code R matches an expected code E when R starts with E, or E starts with R and
R has at least four digits (a heading is a fair answer for one of its subheadings, a
chapter is not). A code that redirects answers with its target; a split code with its
successors. Queries go through the page, as a visitor's would.
"""

import csv
import re
from pathlib import Path

import pytest

JUDGED = Path(__file__).with_name("judged_queries.csv")
_NODE_LINK = re.compile(r'href="(?:/search/go\?[^"]*?to=(?:%2F|/)hs(?:%2F|/)|/hs/)([0-9]{2,10})\b')


def judged_queries() -> list[dict]:
    with JUDGED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def matches(result: str, expected: str) -> bool:
    return result.startswith(expected) or (expected.startswith(result) and len(result) >= 4)


def top_codes(client, query: str) -> list[str]:
    response = client.get("/search", query_string={"q": query})
    if response.status_code in (301, 302):
        return [response.headers["Location"].split("?")[0].rsplit("/", 1)[-1]]
    main = response.text.split('<main id="main"', 1)[1]
    if 'class="code-answer"' in main:  # a split code: its successors are the answer
        answer = main.split('class="code-answer"', 1)[1].split("</div>", 1)[0]
        return _NODE_LINK.findall(answer)
    return _NODE_LINK.findall(main.split('class="search-hits"', 1)[-1])[:3]


def test_the_judged_set_is_large_and_covers_every_kind():
    rows = judged_queries()
    assert len(rows) >= 60
    assert {row["kind"] for row in rows} == {"en", "fr", "typo", "synonym", "code"}


@pytest.mark.parametrize("row", judged_queries(), ids=lambda row: f"{row['kind']}:{row['query']}")
def test_an_expected_code_is_in_the_top_three(shared_client, row):
    expected = row["expected"].split("|")
    found = top_codes(shared_client, row["query"])
    assert any(matches(code, wanted) for code in found for wanted in expected), (
        f"{row['query']!r}: expected one of {expected}, top results {found}"
    )
