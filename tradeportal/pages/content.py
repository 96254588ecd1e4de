"""Register the pages area: the "pages" content type, its search documents, demo content.

Imported once by the app factory; the module-level calls register everything.
"""

import re
from pathlib import Path

from sqlalchemy.orm import Session

from tradeportal.content.registry import ContentType, register_content_type
from tradeportal.content.transfer import ImportFileError, import_records, read_records
from tradeportal.datafiles import DataFileError, LoadReport, Progress
from tradeportal.pages import search_source  # noqa: F401  (registers the "page" documents)
from tradeportal.pages.models import Page
from tradeportal.pages.schemas import PageInput
from tradeportal.pages.services import export_pages, save_page

PAGES = register_content_type(
    ContentType(
        name="pages",
        input_schema=PageInput,
        natural_key=("slug",),
        save=save_page,
        export=export_pages,
        model=Page,
        description=(
            "Free pages, news and events (kind page|news|event), Markdown bodies in English "
            "and French."
        ),
    )
)


# --- the illustrative content, loaded by `flask seed` through the import path ----------

DEMO_FILE = "pages/pages.json"
_NUMBER = re.compile(r"[0-9]+")


def _line_number(where: str) -> int:
    found = _NUMBER.search(where)
    return int(found.group()) if found else 0


def demo_pages_size(data_dir: Path) -> int:
    """Count the records of the demo file, for the progress bar."""
    try:
        return len(read_records(data_dir / DEMO_FILE, PAGES.name)[1])
    except ImportFileError:
        return 0  # the load itself reports the broken file


def load_demo_pages(session: Session, data_dir: Path, progress: Progress) -> LoadReport:
    """Import the demo pages, news and events; raise DataFileError on any problem.

    The file goes through ``flask content import``'s own reader and validation, so it is
    in exactly the format editors import. Nothing is committed here.
    """
    path = data_dir / DEMO_FILE
    try:
        _, records = read_records(path, PAGES.name)
    except ImportFileError as error:
        raise DataFileError(path, [(0, "file", str(error))]) from None
    result = import_records(session, PAGES, records)
    if not result.ok:
        raise DataFileError(
            path, [(_line_number(where), name, why) for where, name, why in result.problems]
        )
    session.flush()
    progress(len(records))
    report = LoadReport()
    report.counts[PAGES.name] = {
        "inserted": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    return report
