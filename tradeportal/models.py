"""Every model, imported once so the metadata is complete for alembic and tests."""

from tradeportal.db import Base
from tradeportal.hs.models import HsCorrespondence, HsNode, HsSection, Nomenclature
from tradeportal.seed import DataLoad

__all__ = ["Base", "DataLoad", "HsCorrespondence", "HsNode", "HsSection", "Nomenclature"]
