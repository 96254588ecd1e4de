"""Search references as a content type: editors curate them through the CMS and files.

"laptop" → 8471.30: the same record ``data/search/references.csv`` starts with, validated
by one Input schema for the CMS form, ``flask content import`` and the API.
"""

from collections.abc import Iterator
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradeportal.content.fields import HsPrefix, Text
from tradeportal.content.records import CONTENT_FIELDS, assign_changed
from tradeportal.content.registry import ContentType, ImportProblem, register_content_type
from tradeportal.hs.models import HsNode, Nomenclature
from tradeportal.regulations.schemas import ContentInput
from tradeportal.search.models import SearchReference
from tradeportal.search.references import LANGUAGES, MAX_NOTE_LENGTH, MAX_TERM_LENGTH
from tradeportal.search.sources_hs import REFERENCE_EDITION


class SearchReferenceInput(ContentInput):
    """A word people use for a product and the HS 2022 code it belongs under."""

    term = Text(MAX_TERM_LENGTH, required=True)
    language = fields.String(
        required=True,
        validate=validate.OneOf(LANGUAGES, error="Language is en or fr."),
    )
    code = HsPrefix(required=True)
    note = Text(MAX_NOTE_LENGTH)

    @post_load
    def tidy_term(self, record, **kwargs):
        """One space between words, as the starter list and the index write them."""
        record["term"] = " ".join(record["term"].split())
        if not record["term"]:
            raise ValidationError("Give the word people search for.", "term")
        return record


def save_reference(session: Session, record: dict[str, Any]) -> bool:
    """Upsert one reference on (term, language, code); the code must exist in HS 2022."""
    known = session.scalar(
        select(HsNode.id)
        .join(Nomenclature, Nomenclature.id == HsNode.nomenclature_id)
        .where(Nomenclature.code == REFERENCE_EDITION, HsNode.code == record["code"])
    )
    if known is None:
        raise ImportProblem("code", f"{record['code']} is not a code of {REFERENCE_EDITION}.")
    key = {name: record[name] for name in ("term", "language", "code")}
    reference = session.scalar(select(SearchReference).filter_by(**key))
    created = reference is None
    if created:
        reference = SearchReference(**key)
        session.add(reference)
    assign_changed(reference, {"note": record["note"]} | {n: record[n] for n in CONTENT_FIELDS})
    return created


def export_references(session: Session) -> Iterator[dict[str, Any]]:
    """Yield every reference as the Input schema loads it back."""
    references = session.scalars(
        select(SearchReference).order_by(
            SearchReference.language, SearchReference.term, SearchReference.code
        )
    )
    for reference in references:
        record = {name: getattr(reference, name) for name in ("term", "language", "code", "note")}
        for name in CONTENT_FIELDS:
            value = getattr(reference, name)
            record[name] = value.isoformat() if hasattr(value, "isoformat") else value
        yield record


register_content_type(
    ContentType(
        name="search-references",
        input_schema=SearchReferenceInput,
        natural_key=("term", "language", "code"),
        save=save_reference,
        export=export_references,
        description="Words people search for and the HS code they mean (laptop → 8471.30).",
        model=SearchReference,
    )
)
