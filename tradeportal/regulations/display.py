"""The rules of the product page, prepared in Python for their template.

A product can have dozens of rules. Written with a macro and two ``url_for`` per rule (the
rule, its agency), the list cost ~80 µs a rule: more than every query of the page
together. Here each rule becomes a :class:`RuleLine` whose texts and addresses are
ready; addresses come from one ``url_for`` per endpoint (``UrlPattern``) and each
agency's link is made once a page. The template only places them.
"""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from tradeportal.hs.codes import format_code
from tradeportal.i18n import Localized, chosen_language, day, gettext, localized
from tradeportal.regulations.briefs import AgencyBrief
from tradeportal.templating import UrlPattern
from tradeportal.validity import today


def link(text: Localized, url: str) -> Markup:
    # Markup.format goes through string.Formatter: ~15 µs, against ~1 µs for this.
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')  # noqa: S704 (escaped)


@dataclass(frozen=True, slots=True)
class DocumentLine:
    name: str
    url: str | None
    form_number: str | None
    issuer: Markup | None  # the link to the agency that issues it


@dataclass(frozen=True, slots=True)
class RuleLine:
    item: object  # the RegulationItem: regulation, via and partner names
    kind: str  # the kind of rule, in the page's language
    link: Markup  # the rule's title, linked to its page
    via: str | None  # "applies via 0901" when set for a wider code
    agency: Markup  # the agency's name, linked to its page
    documents: tuple[DocumentLine, ...]
    until: str | None  # the last day in force, for reading


class RuleLines:
    """Makes the RuleLine of each rule of one page, sharing what rules have in common."""

    def __init__(self, code: str, shown_day: date):
        date_arg = shown_day.isoformat() if shown_day != today() else None
        self.code = code
        # Asked once a page, not once a rule: each asks Flask-Babel through context lookups.
        self.language = chosen_language()
        self.applies_via = gettext("applies via %(code)s")
        self.kinds: dict[object, str] = {}
        self.rule_url = UrlPattern("regulations.regulation_detail", "slug", date=date_arg)
        self.agency_url = UrlPattern("regulations.agency_detail", "slug")
        self.agencies: dict[str, Markup] = {}

    def agency(self, agency: AgencyBrief) -> Markup:
        found = self.agencies.get(agency.slug)
        if found is None:
            name = localized(agency, "name", self.language)
            found = link(name, self.agency_url(agency.slug))
            self.agencies[agency.slug] = found
        return found

    def kind(self, kind) -> str:
        label = self.kinds.get(kind)
        if label is None:
            label = self.kinds[kind] = kind.label
        return label

    def __call__(self, item) -> RuleLine:
        regulation = item.regulation
        title = localized(regulation, "title", self.language)
        return RuleLine(
            item=item,
            kind=self.kind(regulation.kind),
            link=link(title, self.rule_url(regulation.slug)),
            via=self.applies_via % {"code": format_code(item.via)}
            if item.via != self.code
            else None,
            agency=self.agency(regulation.agency),
            documents=tuple(
                DocumentLine(
                    document.name,
                    document.url,
                    document.form_number,
                    self.agency(document.issuing_agency) if document.issuing_agency else None,
                )
                for document in regulation.documents
            ),
            until=day(regulation.valid_to) if regulation.valid_to else None,
        )


def rule_lines(section, product) -> list[tuple[object, list[RuleLine]]]:
    """Each direction group of the regulations section with the lines of its rules."""
    make = RuleLines(product.code, product.day)
    return [(group, [make(item) for item in group.items]) for group in section.groups]
