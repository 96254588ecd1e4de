"""The printable product sheet: what a trader must do for code × origin × market × date.

It is built from the same sections as the product page (``collect_sections``), read as a
checklist: one row per thing to obtain, pay or check, with who to ask and where it is
written. The page prints on A4; the same rows download as CSV for a spreadsheet.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tradeportal.auth.manage_audit import spreadsheet_safe
from tradeportal.hs.codes import format_code
from tradeportal.i18n import localized
from tradeportal.product import ProductContext, ProductSection
from tradeportal.regulations.models import Direction

# Groups in the order a trader meets them; the keys are also the CSV's "group" column.
GROUPS = {
    "rule": _l("Rules to meet"),
    "document": _l("Documents to obtain"),
    "step": _l("Procedure steps"),
    "duty": _l("Duties and taxes to pay"),
    "preference": _l("Preferences to claim"),
    "origin": _l("Rules of origin to meet"),
    "agreement": _l("Agreements in force"),
}
CSV_COLUMNS = (
    "group",
    "requirement",
    "detail",
    "authority",
    "reference",
    "valid_from",
    "valid_to",
)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One line of the checklist."""

    group: str  # a key of GROUPS
    requirement: str
    detail: str = ""
    authority: str = ""
    reference: str = ""  # an address to read the requirement at
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def group_label(self) -> str:
        return str(GROUPS[self.group])


def _name(agency) -> str:
    return str(localized(agency, "name")) if agency is not None else ""


def _joined(*parts: str | None) -> str:
    return " · ".join(part for part in parts if part)


def _concerned(direction: Direction, product: ProductContext) -> bool:
    """Leave out the home country's import rules for goods of home origin, and its export
    rules for goods coming home: the sheet is about one journey."""
    if direction is Direction.IMPORT:
        return product.origin != product.home_country
    if direction is Direction.EXPORT:
        return product.market != product.home_country
    # Transit: goods crossing the home country, so neither leaving nor entering it for good.
    return product.home_country not in (product.origin, product.market)


def _regulation_rows(data, product: ProductContext) -> Iterable[SheetRow]:
    for group in data.groups:
        if not _concerned(group.direction, product):
            continue
        for item in group.items:
            regulation = item.regulation
            yield SheetRow(
                "rule",
                str(localized(regulation, "title")),
                _joined(
                    regulation.kind.label,
                    regulation.fees and _("Fees: %(fees)s", fees=regulation.fees),
                    regulation.processing_time
                    and _("Time: %(time)s", time=regulation.processing_time),
                ),
                _name(regulation.agency),
                url_for("regulations.regulation_detail", slug=regulation.slug, _external=True),
                regulation.valid_from,
                regulation.valid_to,
            )
            for document in regulation.documents:
                yield SheetRow(
                    "document",
                    document.name,
                    _joined(
                        document.form_number and _("Form %(number)s", number=document.form_number)
                    ),
                    _name(document.issuing_agency or regulation.agency),
                    document.url or "",
                )


def _procedure_rows(data, product: ProductContext) -> Iterable[SheetRow]:
    for procedure, _via in data:
        if not _concerned(procedure.direction, product):
            continue
        title = str(localized(procedure, "title"))
        for number, step in enumerate(procedure.steps, start=1):
            yield SheetRow(
                "step",
                _(
                    "%(procedure)s, step %(number)s: %(action)s",
                    procedure=title,
                    number=number,
                    action=step.action,
                ),
                _joined(step.documents, step.fee, step.expected_time),
                _name(step.agency),
                url_for("regulations.procedure_detail", slug=procedure.slug, _external=True),
                procedure.valid_from,
                procedure.valid_to,
            )


def _rate(row) -> str:
    return row.rate.on_day or row.rate.readable or row.rate.text


def _rated_row(group: str, row, requirement: str, authority: str | None) -> SheetRow:
    """A tax or preference (an ``ApplicableRow`` of the tariffs section) as a sheet row."""
    item = row.item
    return SheetRow(
        group, requirement, _rate(row), authority or "", "", item.valid_from, item.valid_to
    )


def _tariff_rows(data, product: ProductContext) -> Iterable[SheetRow]:
    for line in data.line_rows:
        yield SheetRow(
            "duty",
            _(
                "Customs duty in %(market)s on line %(code)s",
                market=data.market_name,
                code=format_code(line.line.code),
            ),
            _joined(_rate(line), *line.flags),
            data.market_name or "",
            "",
            line.line.valid_from,
            line.line.valid_to,
        )
    for row in data.market_taxes:
        yield _rated_row("duty", row, row.item.name, data.market_name)
    for row in data.eligible_preferences:
        yield _rated_row("preference", row, row.item.agreement_name, data.market_name)


def _home_tax_rows(data, product: ProductContext) -> Iterable[SheetRow]:
    # The home country's taxes fall on goods entering it: not on its own exports.
    if product.origin == product.home_country:
        return
    for row in data.home_taxes:
        yield _rated_row("duty", row, row.item.name, data.home_name)


def _origin_rows(data, product: ProductContext) -> Iterable[SheetRow]:
    for scheme in data.schemes:
        for proof in scheme.proofs or []:
            yield SheetRow(
                "origin", proof.get("summary", ""), scheme.title, "", proof.get("url") or ""
            )
    for applicable in data.rule_sets:
        rule_set = applicable.rule_set
        yield SheetRow(
            "origin",
            " ".join(rule.text for rule in rule_set.rules),
            _joined(rule_set.scheme.title, applicable.label),
            "",
            url_for("agreements.scheme", code=rule_set.scheme.code, _external=True),
        )


def _agreement_rows(data, product: ProductContext) -> Iterable[SheetRow]:
    for agreement in data.agreements:
        yield SheetRow(
            "agreement",
            agreement.name,
            agreement.agreement_type or "",
            "",
            url_for("agreements.detail", agreement_id=agreement.id, _external=True),
            agreement.valid_from,
            agreement.valid_to,
        )


# What each product-page section (by key) contributes; sections not named here (tenders,
# alerts, country links) are not requirements and stay on the web page only.
READERS: dict[str, Callable] = {
    "regulations": _regulation_rows,
    "procedures": _procedure_rows,
    "tariffs": lambda data, product: [
        *_tariff_rows(data, product),
        *_home_tax_rows(data, product),
    ],
    "rules_of_origin": _origin_rows,
    "agreements": _agreement_rows,
}


def sheet_rows(
    product: ProductContext, sections: list[tuple[ProductSection, object]]
) -> list[SheetRow]:
    """Turn the collected product sections into checklist rows, grouped in GROUPS order."""
    rows = [
        row
        for section, data in sections
        if section.key in READERS
        for row in READERS[section.key](data, product)
    ]
    order = list(GROUPS)
    return sorted(rows, key=lambda row: order.index(row.group))


def grouped(rows: list[SheetRow]) -> list[tuple[str, list[SheetRow]]]:
    """Return (group label, rows) in order, leaving out empty groups."""
    return [
        (str(label), [row for row in rows if row.group == key])
        for key, label in GROUPS.items()
        if any(row.group == key for row in rows)
    ]


def sheet_csv(product: ProductContext, rows: list[SheetRow]) -> str:
    """The checklist as CSV (UTF-8 with a BOM, so spreadsheet programs read accents)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["code", "origin", "market", "date", *CSV_COLUMNS])
    context = [product.code, product.origin or "", product.market or "", product.day.isoformat()]
    for row in rows:
        writer.writerow(
            [
                *context,
                row.group,
                spreadsheet_safe(row.requirement),
                spreadsheet_safe(row.detail),
                spreadsheet_safe(row.authority),
                row.reference,
                row.valid_from.isoformat() if row.valid_from else "",
                row.valid_to.isoformat() if row.valid_to else "",
            ]
        )
    return out.getvalue()
