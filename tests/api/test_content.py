"""Contract tests of the content routes against the seeded database."""

from datetime import UTC, datetime, timedelta

from tests.api.conftest import COFFEE_SPS, assert_error, json_of, publish_title


def test_regulations_are_filtered_and_paged(api):
    everything = json_of(api.get("/api/v1/regulations?per_page=100"))
    total = everything["meta"]["total"]
    assert total == len(everything["data"]) > 50  # more than one page of the area's own size
    coffee = json_of(api.get("/api/v1/regulations?chapter=09&kind=sps&per_page=100"))["data"]
    assert COFFEE_SPS in [row["slug"] for row in coffee]
    assert all(row["kind"] == "sps" for row in coffee)
    # Pages of 7 stitched together give the same list as one page of 100.
    stitched, url = [], "/api/v1/regulations?per_page=7"
    while url:
        body = json_of(api.get(url))
        stitched += [row["slug"] for row in body["data"]]
        url = body["links"]["next"]
    assert stitched == [row["slug"] for row in everything["data"]]


def test_one_regulation_has_its_links_documents_and_agency(api):
    data = json_of(api.get(f"/api/v1/regulations/{COFFEE_SPS}"))["data"]
    assert data["hs_prefixes"] == ["0901"] and data["hs_exclusions"] == ["090190"]
    assert data["agency"]["slug"] == "nppo"
    assert data["documents"][0]["name"].startswith("Phytosanitary certificate")
    assert data["is_demo"] is True


def test_unknown_regulation_and_agency_filter(api):
    assert_error(api.get("/api/v1/regulations/no-such-rule"), 404)
    error = assert_error(api.get("/api/v1/regulations?agency=nobody"), 422)
    assert list(error["details"]) == ["agency"]
    assert_error(api.get("/api/v1/regulations?chapter=98"), 400)


def test_procedures_and_agencies(api):
    procedures = json_of(api.get("/api/v1/procedures?per_page=100"))["data"]
    slug = procedures[0]["slug"]
    one = json_of(api.get(f"/api/v1/procedures/{slug}"))["data"]
    assert one["steps"] and [s["position"] for s in one["steps"]] == sorted(
        s["position"] for s in one["steps"]
    )
    agencies = json_of(api.get("/api/v1/agencies?per_page=100"))["data"]
    assert "nppo" in [a["slug"] for a in agencies]
    assert json_of(api.get("/api/v1/agencies/nppo"))["data"]["slug"] == "nppo"


def test_tariff_schedules_and_lines(api):
    schedules = json_of(api.get("/api/v1/tariffs"))["data"]
    assert "UKGT-2021" in [s["code"] for s in schedules]
    detail = json_of(api.get("/api/v1/tariffs/UKGT-2021"))["data"]
    assert {"chapter": "09", "lines": detail_lines(detail, "09")} in detail["chapters"]
    lines = json_of(api.get("/api/v1/tariffs/UKGT-2021/lines?prefix=0901.11&per_page=5"))
    assert lines["data"] and all(row["code"].startswith("090111") for row in lines["data"])
    assert lines["data"][0]["rate_text"] and lines["data"][0]["schedule"] == "UKGT-2021"
    assert_error(api.get("/api/v1/tariffs/NO-SUCH"), 404)
    assert_error(api.get("/api/v1/tariffs/UKGT-2021/lines?prefix=9"), 400)


def detail_lines(detail: dict, chapter: str) -> int:
    return next(row["lines"] for row in detail["chapters"] if row["chapter"] == chapter)


def test_agreements_schemes_and_rules_of_origin(api):
    mauritius = json_of(api.get("/api/v1/agreements?country=MUS&per_page=100"))
    names = [row["name"] for row in mauritius["data"]]
    assert "United Kingdom - Eastern and Southern Africa States" in names
    agreement_id = mauritius["data"][0]["id"]
    detail = json_of(api.get(f"/api/v1/agreements/{agreement_id}"))["data"]
    assert detail["parties"]
    assert_error(api.get("/api/v1/agreements/2147483648"), 404)
    assert_error(api.get("/api/v1/agreements?type=nothing"), 422)
    schemes = [row["code"] for row in json_of(api.get("/api/v1/origin/schemes"))["data"]]
    assert "esa" in schemes
    esa = json_of(api.get("/api/v1/origin/schemes/esa"))["data"]
    assert "MUS" in [c["country_iso3"] for c in esa["countries"]]
    rules = json_of(api.get("/api/v1/origin/schemes/esa/rules?hs_code=0901.21"))["data"]
    assert [r["heading"] for r in rules] == ["0901"]
    paged = json_of(api.get("/api/v1/origin/schemes/esa/rules?per_page=3&page=2"))
    assert paged["meta"]["page"] == 2 and len(paged["data"]) == 3


def test_countries_list_and_profile(api):
    found = json_of(api.get("/api/v1/countries?q=mauri"))["data"]
    assert {row["iso3"] for row in found} == {"MUS", "MRT"}
    mauritius = json_of(api.get("/api/v1/countries/mus?date=2026-01-01"))["data"]
    assert mauritius["iso3"] == "MUS" and mauritius["as_of"] == "2026-01-01"
    assert "ESA" in mauritius["groups"] or mauritius["groups"]
    assert mauritius["profile"] and mauritius["agreements"]
    assert_error(api.get("/api/v1/countries/XXX"), 404)
    assert_error(api.get("/api/v1/countries?region=Atlantis"), 422)
    assert_error(api.get("/api/v1/countries?q=" + "x" * 201), 400)


def test_tenders_are_filtered_and_shown(api):
    everything = json_of(api.get("/api/v1/tenders?per_page=100"))
    assert everything["meta"]["total"] == len(everything["data"]) > 20
    uk = json_of(api.get("/api/v1/tenders?country=GBR&per_page=100"))["data"]
    assert uk and all(row["country_iso3"] == "GBR" for row in uk)
    one = json_of(api.get(f"/api/v1/tenders/{uk[0]['id']}"))["data"]
    assert one["ocid"] == uk[0]["ocid"]
    assert_error(api.get("/api/v1/tenders/999999"), 404)
    error = assert_error(
        api.get("/api/v1/tenders?deadline_from=2020-01-02&deadline_to=2020-01-01"), 400
    )
    assert list(error["details"]) == ["deadline_to"]


def test_changes_list_what_editors_published_since_a_moment(app, api):
    before = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    quiet = json_of(api.get("/api/v1/changes", query_string={"since": before}))
    assert quiet["data"] == []
    publish_title(app, COFFEE_SPS, "Coffee phytosanitary conditions, amended")
    changes = json_of(api.get("/api/v1/changes", query_string={"since": before}))["data"]
    assert len(changes) == 1
    change = changes[0]
    assert change["kind"] == "amended" and change["content_type"] == "regulations"
    assert change["record_key"] == [COFFEE_SPS]
    assert change["changed_fields"] == ["title_en"]
    assert change["after"]["title_en"] == "Coffee phytosanitary conditions, amended"
    assert "0901" in change["hs_prefixes"]
    other = {"since": before, "content_type": "tenders"}
    assert json_of(api.get("/api/v1/changes", query_string=other))["data"] == []
    assert_error(api.get("/api/v1/changes"), 400)  # since is required
    assert_error(api.get("/api/v1/changes?since=0001-01-01T00:00:00%2B14:00"), 400)
