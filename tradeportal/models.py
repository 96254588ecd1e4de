"""Every model, imported once so the metadata is complete for alembic and tests."""

from tradeportal.agreements.models import (
    AgreementParty,
    OriginRule,
    OriginRuleSet,
    PreferenceScheme,
    SchemeCountry,
    TradeAgreement,
)
from tradeportal.alerts.models import (
    AlertDelivery,
    AlertEventTerm,
    AlertFanout,
    Subscriber,
    Subscription,
)
from tradeportal.attachments.models import Attachment
from tradeportal.auth.models import AuditEvent, User
from tradeportal.cms.models import ChangeEvent, CmsItem, CmsRevision
from tradeportal.content_cache import ContentGeneration
from tradeportal.countries.models import (
    Country,
    CountryGroupMember,
    CountryProfileSection,
    EuAccessProfile,
)
from tradeportal.db import Base
from tradeportal.hs.models import HsCorrespondence, HsNode, HsSection, Nomenclature
from tradeportal.mail.models import MailSuppression, OutboundEmail
from tradeportal.pages.models import Page
from tradeportal.regulations.models import (
    Agency,
    Procedure,
    ProcedureHsLink,
    ProcedureStep,
    Regulation,
    RegulationHsLink,
    RegulationPartner,
    RequiredDocument,
)
from tradeportal.search.models import SearchQueryLog, SearchQueueItem, SearchReference
from tradeportal.seed import DataLoad
from tradeportal.tariffs.models import (
    InternalTax,
    InternalTaxLink,
    PreferenceOrigin,
    PreferentialRate,
    PreferentialRateLink,
    TariffLine,
    TariffLineLink,
    TariffSchedule,
    TariffScheduleMarket,
)
from tradeportal.tenders.models import Tender, TenderHsLink

__all__ = [
    "Agency",
    "AgreementParty",
    "AlertDelivery",
    "AlertEventTerm",
    "AlertFanout",
    "Attachment",
    "AuditEvent",
    "Base",
    "ChangeEvent",
    "CmsItem",
    "CmsRevision",
    "ContentGeneration",
    "Country",
    "CountryGroupMember",
    "CountryProfileSection",
    "DataLoad",
    "EuAccessProfile",
    "HsCorrespondence",
    "HsNode",
    "HsSection",
    "InternalTax",
    "InternalTaxLink",
    "MailSuppression",
    "Nomenclature",
    "OriginRule",
    "OriginRuleSet",
    "OutboundEmail",
    "Page",
    "PreferenceOrigin",
    "PreferenceScheme",
    "PreferentialRate",
    "PreferentialRateLink",
    "Procedure",
    "ProcedureHsLink",
    "ProcedureStep",
    "Regulation",
    "RegulationHsLink",
    "RegulationPartner",
    "RequiredDocument",
    "SchemeCountry",
    "SearchQueryLog",
    "SearchQueueItem",
    "SearchReference",
    "Subscriber",
    "Subscription",
    "TariffLine",
    "TariffLineLink",
    "TariffSchedule",
    "TariffScheduleMarket",
    "Tender",
    "TenderHsLink",
    "TradeAgreement",
    "User",
]
