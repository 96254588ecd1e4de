"""Reading OCDS releases (versions 1.0 and 1.1 mixed) into flat tender records.

Each sample file is a JSON array of ``{source_file, package_meta, release}``. Fields are
read as OCDS defines them, with the fall-backs the samples need: Canadian releases have no
tender title (the title comes from the first sentence of a description or of the item
descriptions), Ugandan budgets use the OCDS 1.0 nested ``amount`` form, Montréal tags
are a string, NSW texts are HTML.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from tradeportal.datafiles import DataFileError
from tradeportal.tenders.models import LANGUAGES, TenderStatus
from tradeportal.tenders.texts import detect_language, first_sentence, plain_text

TITLE_LENGTH = 300
_STATUSES = {status.value for status in TenderStatus}


class ReleaseFileError(DataFileError):
    """A release file with bad releases; ``line`` is the release's position in the array."""

    def __init__(self, path: Path, problems: list[tuple[int, str, str]]):
        self.path = path
        self.problems = problems
        shown = "; ".join(f"release #{n} {name}: {reason}" for n, name, reason in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        ValueError.__init__(self, f"{path.name}: {len(problems)} bad release(s): {shown}{more}")


@dataclass
class ReleaseRecord:
    """What one release says about its tender, ready to become a Tender row."""

    ocid: str
    release_id: str
    version: str | None  # OCDS version when the release states one
    language: str
    detected_language: str | None  # from the text, to check the declared one
    published_at: datetime
    published_on: date
    title: str
    title_is_derived: bool
    description: str | None
    buyer_name: str | None
    status: TenderStatus | None
    procurement_method: str | None
    main_category: str | None
    value_amount: float | None
    value_currency: str | None
    value_basis: str | None
    tender_period_start: datetime | None
    tender_period_end: datetime | None
    deadline_on: date | None
    tag: str
    classifications: list[tuple[str, str]]  # (scheme, id) as published, trimmed
    source_url: str | None
    source_url_rejected: bool
    sample_files: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.ocid, self.release_id)


class InvalidRelease(ValueError):
    """A release the loader cannot use; ``field`` names the culprit."""

    def __init__(self, field_name: str, reason: str):
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def load_release_file(path: Path) -> list:
    """Parse a release file; invalid JSON is refused with its line number."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataFileError(path, [(error.lineno, "JSON", error.msg)]) from None
    except UnicodeDecodeError:
        raise DataFileError(path, [(1, "encoding", "the file is not UTF-8")]) from None
    if not isinstance(entries, list):
        raise DataFileError(path, [(1, "JSON", "expected an array of releases")])
    return entries


def read_release(entry: object) -> ReleaseRecord:
    """Turn one ``{source_file, package_meta, release}`` entry into a record."""
    if not isinstance(entry, dict) or not isinstance(entry.get("release"), dict):
        raise InvalidRelease("release", "is missing or not an object")
    release = entry["release"]
    ocid = _required_text(release, "ocid")
    release_id = _required_text(release, "id")
    published_at, published_on = _required_date(release, "date")
    tender = _object(release.get("tender"))
    detected = detect_language(_detection_text(release, tender))
    language = _language(release.get("language"), detected)
    texts = _texts(release, tender, language)
    title, derived = _title(tender, texts, language)
    start = _optional_date(_object(tender.get("tenderPeriod")), "startDate", "tender.tenderPeriod")
    end = _optional_date(_object(tender.get("tenderPeriod")), "endDate", "tender.tenderPeriod")
    amount, currency, basis = _value(release, tender)
    source_url, rejected = _source_url(release, entry.get("package_meta"))
    return ReleaseRecord(
        ocid=ocid,
        release_id=release_id,
        version=release.get("version") if isinstance(release.get("version"), str) else None,
        language=language,
        detected_language=detected,
        published_at=published_at,
        published_on=published_on,
        title=title,
        title_is_derived=derived,
        description=_description(tender, texts),
        buyer_name=_buyer(release, tender, language),
        status=_status(tender),
        procurement_method=_code(tender.get("procurementMethod")),
        main_category=_code(tender.get("mainProcurementCategory")),
        value_amount=amount,
        value_currency=currency,
        value_basis=basis,
        tender_period_start=start[0] if start else None,
        tender_period_end=end[0] if end else None,
        deadline_on=end[1] if end else None,
        tag=_tag(release.get("tag")),
        classifications=_classifications(release, tender),
        source_url=source_url,
        source_url_rejected=rejected,
        sample_files=[entry["source_file"]] if isinstance(entry.get("source_file"), str) else [],
    )


# --- identifiers, dates, codes -------------------------------------------------------------


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _clean(value) -> str:
    """Return a value as one-line text without surrounding blanks ("" for non-text)."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())


def _required_text(release: dict, name: str) -> str:
    text = _clean(release.get(name))
    if not text:
        raise InvalidRelease(name, "is missing")
    if len(text) > 200:
        raise InvalidRelease(name, "is longer than 200 characters")
    return text


def parse_ocds_datetime(raw: str) -> tuple[datetime, date]:
    """Read an OCDS date-time: (the instant in UTC, the calendar date where it was written).

    A date alone means midnight UTC; a time without offset is taken as UTC.
    """
    moment = datetime.fromisoformat(raw.strip())
    local_day = moment.date()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), local_day


def _required_date(release: dict, name: str) -> tuple[datetime, date]:
    found = _optional_date(release, name, "")
    if found is None:
        raise InvalidRelease(name, "is missing")
    return found


def _optional_date(container: dict, name: str, where: str) -> tuple[datetime, date] | None:
    raw = container.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_ocds_datetime(raw)
    except (TypeError, ValueError, AttributeError):
        label = f"{where}.{name}" if where else name
        raise InvalidRelease(label, "is not an ISO 8601 date") from None


def _code(value) -> str | None:
    text = _clean(value).lower()
    return text[:40] or None


def _status(tender: dict) -> TenderStatus | None:
    raw = _clean(tender.get("status")).lower()
    if not raw:
        return None
    if raw not in _STATUSES:
        raise InvalidRelease("tender.status", "is not in the OCDS tender status codelist")
    return TenderStatus(raw)


def _tag(raw) -> str:
    tags = [raw] if isinstance(raw, str) else _list(raw)
    return ", ".join(_clean(tag) for tag in tags if _clean(tag))[:100]


def _language(raw, detected: str | None) -> str:
    """Use the declared language (its primary subtag); without one, what the text says."""
    declared = _clean(raw).replace("_", "-").split("-")[0].lower()
    if not declared:
        # OCDS: the default language of a release is English.
        return detected or "en"
    if declared not in LANGUAGES:
        raise InvalidRelease("language", "is not a supported language (en, fr)")
    return declared


def _source_url(release: dict, package_meta) -> tuple[str | None, bool]:
    """Return the publisher's address for the release (or its package) when it is a web URL."""
    package_info = _object(release.get("packageInfo"))
    for candidate in (
        release.get("uri"),
        package_info.get("uri"),
        _object(package_meta).get("uri"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            parts = urlsplit(candidate.strip())
            if parts.scheme in ("http", "https") and parts.netloc and len(candidate) <= 500:
                return candidate.strip(), False
            return None, True
    return None, False


# --- texts ---------------------------------------------------------------------------------


def _localised(container: dict, name: str, language: str) -> str:
    """Read ``name`` in the release language: name_fr, then name, then name_en."""
    for key in (f"{name}_{language}", name, f"{name}_en", f"{name}_fr"):
        text = plain_text(container.get(key))
        if text:
            return text
    return ""


def _stages(release: dict, tender: dict) -> list[dict]:
    """Return the tender, then the awards, then the contracts of a release."""
    stages = [tender, *map(_object, _list(release.get("awards")))]
    return stages + list(map(_object, _list(release.get("contracts"))))


def _detection_text(release: dict, tender: dict) -> str:
    """Return the untranslated texts of a release (no ``_en``/``_fr`` variants)."""
    texts = [plain_text(tender.get("title"))]
    for stage in _stages(release, tender):
        texts.append(plain_text(stage.get("description")))
        texts += [
            plain_text(_object(item).get("description")) for item in _list(stage.get("items"))
        ]
    return " ".join(text for text in texts if text)


def _texts(release: dict, tender: dict, language: str) -> dict[str, list[str]]:
    """Collect the item descriptions and award/contract descriptions, in the release language."""
    items: list[str] = []
    stage_descriptions: list[str] = []
    for stage in _stages(release, tender):
        for item in map(_object, _list(stage.get("items"))):
            text = _localised(item, "description", language)
            if text and text not in items:
                items.append(text)
        if stage is not tender:
            text = _localised(stage, "description", language) or _localised(
                stage, "title", language
            )
            if text and text not in stage_descriptions:
                stage_descriptions.append(text)
    return {"items": items, "stages": stage_descriptions}


def _title(tender: dict, texts: dict, language: str) -> tuple[str, bool]:
    title = plain_text(tender.get("title")).replace("\n", " ")
    if title:
        return _shorten(title, TITLE_LENGTH), False
    for candidate in (plain_text(tender.get("description")), *texts["items"], *texts["stages"]):
        sentence = first_sentence(candidate)
        if sentence:
            return sentence, True
    return "", True


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _description(tender: dict, texts: dict) -> str | None:
    own = plain_text(tender.get("description"))
    if own:
        return own
    others = texts["stages"] or texts["items"]
    return "\n".join(others) or None


def _buyer(release: dict, tender: dict, language: str) -> str | None:
    name = _localised(_object(release.get("buyer")), "name", language)
    if not name:
        for party in map(_object, _list(release.get("parties"))):
            if "buyer" in _list(party.get("roles")):
                name = _localised(party, "name", language)
                if name:
                    break
    if not name:
        name = _localised(_object(tender.get("procuringEntity")), "name", language)
    return name[:300] or None


# --- money and classifications -------------------------------------------------------------


def _money(value) -> tuple[float, str] | None:
    value = _object(value)
    if isinstance(value.get("amount"), dict):  # OCDS 1.0 budget: {"amount": {"amount", ...}}
        value = value["amount"]
    amount, currency = value.get("amount"), _clean(value.get("currency")).upper()
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        return None
    try:
        number = round(float(amount), 2)
    except ValueError:
        raise InvalidRelease("value.amount", "is not a number") from None
    # Publishers write 0 for "not known"; a tender of no value is not a thing.
    if number <= 0 or not re.fullmatch(r"[A-Z]{3}", currency):
        return None
    return number, currency


def _summed(stages: list) -> tuple[float, str] | None:
    values = [found for stage in stages if (found := _money(_object(stage).get("value")))]
    if not values or len({currency for _, currency in values}) != 1:
        return None
    return round(sum(amount for amount, _ in values), 2), values[0][1]


def _value(release: dict, tender: dict) -> tuple[float | None, str | None, str | None]:
    """Return (amount, currency, basis): the tender value, else budget, awards, contracts."""
    candidates = (
        ("tender", _money(tender.get("value"))),
        ("budget", _money(_object(_object(release.get("planning")).get("budget")))),
        ("award", _summed(_list(release.get("awards")))),
        ("contract", _summed(_list(release.get("contracts")))),
    )
    for basis, found in candidates:
        if found:
            return found[0], found[1], basis
    return None, None, None


def _classifications(release: dict, tender: dict) -> list[tuple[str, str]]:
    """Return the item classifications of the first stage that has any.

    What the tender describes comes first; awards and contracts only speak when the tender
    is silent (Canadian contracts carry GSIN codes, Nigerian contracts other CPV ids).
    """
    stages = [[tender], _list(release.get("awards")), _list(release.get("contracts"))]
    for group in stages:
        found: list[tuple[str, str]] = []
        for stage in map(_object, group):
            for item in map(_object, _list(stage.get("items"))):
                listed = [_object(item.get("classification"))]
                listed += list(map(_object, _list(item.get("additionalClassifications"))))
                for classification in listed:
                    pair = (_clean(classification.get("scheme")), _clean(classification.get("id")))
                    if pair[1] and pair not in found:
                        found.append(pair)
        if found:
            return found
    return []
