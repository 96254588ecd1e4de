"""The kinds of content a subscriber can follow, as subscribers understand them.

The CMS knows ~16 content types ("tariff-lines", "origin-rules", "pages"…); a subscriber
follows one of a few groups ("tariffs", "agreements", "news"). A subscription stores the
group name; a change event is put in its group here, from its content type and, for
pages, from the page's kind (news, event or free page share one content type).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from tradeportal.i18n import locale_for


@dataclass(frozen=True)
class ContentGroup:
    name: str  # stored in Subscription.value and used in feed URLs
    title: Any  # a lazy gettext string: the label in the language shown
    content_types: tuple[str, ...] = ()
    page_kind: str | None = None  # for the groups made of one kind of "pages"

    def label(self, language: str | None = None) -> str:
        """Return the label in ``language``, by default in the language being rendered."""
        if language is None:
            return str(self.title)
        with force_locale(locale_for(language)):
            return str(self.title)


PAGES = "pages"

# In the order the forms list them.
GROUPS: dict[str, ContentGroup] = {
    group.name: group
    for group in (
        ContentGroup("regulations", _l("Regulations"), ("regulations",)),
        # Agencies run the procedures: a new address or fee desk matters to who files them.
        ContentGroup(
            "procedures",
            _l("Procedures and agencies"),
            ("procedures", "agencies"),
        ),
        ContentGroup(
            "tariffs",
            _l("Tariffs and taxes"),
            (
                "tariff-schedules",
                "tariff-schedule-markets",
                "tariff-lines",
                "preferential-rates",
                "internal-taxes",
            ),
        ),
        # Preference schemes and rules of origin are how an agreement's rates are earned.
        ContentGroup(
            "agreements",
            _l("Trade agreements and rules of origin"),
            ("agreements", "origin-schemes", "origin-rules"),
        ),
        ContentGroup("countries", _l("Country profiles"), ("countries", "country-profiles")),
        ContentGroup("tenders", _l("Tenders"), ("tenders",)),
        ContentGroup("news", _l("News"), page_kind="news"),
        ContentGroup("events", _l("Events"), page_kind="event"),
    )
}
GROUP_OF_TYPE = {name: group.name for group in GROUPS.values() for name in group.content_types}
GROUP_OF_PAGE_KIND = {g.page_kind: g.name for g in GROUPS.values() if g.page_kind}

# Editors' working data, not published information: never alerted nor in any feed.
NEVER_ALERTED = frozenset({"search-references"})
# Free pages (about, help) are in no group: nobody follows "the help page changed".
UNGROUPED_PAGE_KINDS = frozenset({"page"})


def is_alerted(content_type: str) -> bool:
    """Tell whether changes of this content type may reach subscribers at all."""
    return content_type not in NEVER_ALERTED


def groups_of(content_type: str, record: dict[str, Any] | None = None) -> tuple[str, ...]:
    """Return the groups a change of ``content_type`` (on ``record``) belongs to.

    One group, or none; a page whose record is not known may be news or an event, so it
    gets both (the CMS audience preview counts such an upper bound).
    """
    if content_type == PAGES:
        kind = (record or {}).get("kind")
        if kind is None:
            return tuple(GROUP_OF_PAGE_KIND.values())
        return (GROUP_OF_PAGE_KIND[kind],) if kind in GROUP_OF_PAGE_KIND else ()
    group = GROUP_OF_TYPE.get(content_type)
    return (group,) if group else ()


def legacy_groups(name: str) -> tuple[str, ...]:
    """Return the groups a stored or linked name stands for: a group or an old type name.

    Old links (``?type=tariff-lines``, ``/alerts/feeds/pages.atom``) and confirmation
    links issued before the groups existed carry raw content types; "pages" held both
    news and events. Editors' data ("search-references") stands for none.
    """
    if name in GROUPS:
        return (name,)
    if name == PAGES:
        return tuple(GROUP_OF_PAGE_KIND.values())
    return (GROUP_OF_TYPE[name],) if name in GROUP_OF_TYPE else ()


def group_label(name: str, language: str | None = None) -> str:
    """Return the label of a group in ``language`` (by default the one being rendered);
    an unknown name as it is."""
    group = GROUPS.get(name)
    return group.label(language) if group else name.replace("-", " ")


def group_choices() -> list[tuple[str, str]]:
    """Return the groups for a form's choices, labelled in the language of the page."""
    return [(name, group_label(name)) for name in GROUPS]


def unclassified(content_types: Iterable[str]) -> list[str]:
    """Return the registered content types this module does not place (a test keeps it empty)."""
    placed = set(GROUP_OF_TYPE) | NEVER_ALERTED | {PAGES}
    return sorted(set(content_types) - placed)
