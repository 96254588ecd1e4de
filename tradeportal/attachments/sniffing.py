"""Decide what an uploaded file really is from its bytes, never from the browser's word.

Accepted: PDF, DOCX and XLSX, each only under its own extension. What is checked, all of
it reliable on the bytes alone:

- PDF: ``%PDF-1.x`` or ``%PDF-2.x`` at byte 0 (readers tolerate junk before it; we do not),
  ``%%EOF`` in the last 1,024 bytes, no HTML, SVG or script opening tag in the first
  1,024 bytes (what a browser's sniffer would look at), and not also a readable ZIP
  archive (a PDF+ZIP polyglot).
- DOCX/XLSX: a ZIP local header at byte 0 and the first entry there (nothing prepended),
  a readable central directory, at most ``max_entries`` entries, no duplicate names, none
  encrypted, only the stored/deflate methods OOXML allows, declared uncompressed sizes
  adding up to at most ``max_unzipped_bytes`` and no large entry claiming a compression
  ratio above ``max_ratio`` (zip bombs); ``[Content_Types].xml`` declaring the main part
  of a DOCX or XLSX, ``word/document.xml`` resp. ``xl/workbook.xml``, and no macros.
- Anything else is refused, saying what it looks like: legacy Office (OLE2), programs,
  HTML/SVG/XML, RTF, images, other archives, OpenDocument, PowerPoint.

Not attempted (not reliable, or not needed because files are only ever served as
downloads with ``nosniff`` and a sandbox CSP): the PDF object structure, JavaScript or
embedded files inside a PDF, inflating every ZIP entry to check its CRC (only
``[Content_Types].xml`` is inflated, and at most 1 MiB of it), sizes a ZIP lies about
in its central directory, and virus scanning.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask_babel import gettext

from tradeportal.i18n import N_, number


@dataclass(frozen=True)
class DocumentType:
    """A kind of file editors may upload."""

    extension: str
    media_type: str
    label: str  # short, for tables: "PDF"
    description: str  # in sentences: "a PDF document" (English; the catalog translates it)


PDF = DocumentType("pdf", "application/pdf", "PDF", N_("a PDF document"))
DOCX = DocumentType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word (DOCX)",
    N_("a Word document (DOCX)"),
)
XLSX = DocumentType(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel (XLSX)",
    N_("an Excel workbook (XLSX)"),
)
DOCUMENT_TYPES = (PDF, DOCX, XLSX)
TYPE_BY_MEDIA_TYPE = {kind.media_type: kind for kind in DOCUMENT_TYPES}
TYPE_BY_EXTENSION = {kind.extension: kind for kind in DOCUMENT_TYPES}

ACCEPTED = N_("Only PDF, Word (DOCX) and Excel (XLSX) files can be uploaded.")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
# Opening tags a browser's content sniffer acts on; absent from a real PDF's header.
MARKUP_TAG = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed)\b", re.I)
PDF_TAIL = 1024
OOXML_MAIN_PART = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
OOXML_PART = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
CONTENT_TYPES = "[Content_Types].xml"
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# Entries smaller than this may compress as well as they like (short runs of markup).
RATIO_CHECKED_FROM = 1024 * 1024


class Phrase:
    """A piece of a refusal said in English or, on a page, in the language shown.

    ``template`` is English, marked with ``N_`` (``%(name)s`` placeholders, ``%%`` for a
    percent sign); ``values`` are plain text (a file name), numbers or other phrases.
    """

    def __init__(self, template: str, **values):
        self.template, self.values = template, values

    def english(self) -> str:
        return self.template % {key: _english(value) for key, value in self.values.items()}

    def translated(self) -> str:
        shown = {key: _translated(value) for key, value in self.values.items()}
        return gettext(self.template) % shown


@dataclass(frozen=True)
class Amount:
    """A number in a refusal: "1,234.5" in English, "1 234,5" on a French page."""

    value: float
    digits: int = 0


def _english(value) -> str:
    if isinstance(value, Phrase):
        return value.english()
    if isinstance(value, Amount):
        return f"{value.value:,.{value.digits}f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _translated(value) -> str:
    if isinstance(value, Phrase):
        return value.translated()
    if isinstance(value, Amount):
        return number(value.value, value.digits)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value)
    return str(value)


THE_FILE = Phrase(N_("The file"))


class RefusedFile(Exception):
    """An upload that is not accepted, with a message for the editor.

    ``message`` is English (the command line, logs); ``text`` is in the language of the
    page. A message about the file says ``%(file)s``: "The file", or its quoted name.
    """

    status = 422

    def __init__(self, template: str, **values):
        if "%(file)s" in template:
            values.setdefault("file", THE_FILE)
        self.phrase = Phrase(template, **values)
        self.message = self.phrase.english()
        super().__init__(self.message)

    @property
    def text(self) -> str:
        """The message in the language of the page."""
        return self.phrase.translated()

    def about(self, file: Phrase) -> "RefusedFile":
        """The same refusal naming the file (when the message is about it)."""
        return type(self)(self.phrase.template, **{**self.phrase.values, "file": file})


class FileTooLarge(RefusedFile):
    """An upload above the configured size cap."""

    status = 413


@dataclass(frozen=True)
class ZipLimits:
    """Caps on what a DOCX or XLSX may declare (zip bombs)."""

    max_entries: int = 10_000
    max_unzipped_bytes: int = 256 * 1024 * 1024
    max_ratio: int = 250


DEFAULT_ZIP_LIMITS = ZipLimits()


def extension_of(filename: str) -> str:
    """Return the lower-case extension of a file name, without the dot ("" if none)."""
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")


def sniff_document(
    data: bytes, filename: str, limits: ZipLimits = DEFAULT_ZIP_LIMITS
) -> DocumentType:
    """Return the type of ``data`` when it is an accepted document named accordingly.

    Raise ``RefusedFile`` with a message saying what is wrong otherwise.
    """
    shown = Phrase(N_("“%(name)s”"), name=filename) if filename else THE_FILE
    if not data:
        raise RefusedFile(N_("%(file)s is empty (0 bytes)."), file=shown)
    try:
        kind = _identify(data, limits)
    except RefusedFile as refusal:
        # Name the file in the message, so the editor knows which one of theirs it was.
        raise refusal.about(shown) from None
    extension = extension_of(filename)
    if extension == kind.extension:
        return kind
    if extension in TYPE_BY_EXTENSION:
        named = TYPE_BY_EXTENSION[extension]
        raise RefusedFile(
            N_(
                "%(file)s is named like %(named)s but is really %(kind)s. "
                "Rename it to end in .%(extension)s if that is the file you meant."
            ),
            file=shown,
            named=Phrase(named.description),
            kind=Phrase(kind.description),
            extension=kind.extension,
        )
    raise RefusedFile(
        N_("%(file)s is %(kind)s; its name must end in .%(extension)s."),
        file=shown,
        kind=Phrase(kind.description),
        extension=kind.extension,
    )


def _identify(data: bytes, limits: ZipLimits) -> DocumentType:
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    if data.startswith(b"PK\x03\x04"):
        return _check_ooxml(data, limits)
    raise _refusal_for_other(data)


def _check_pdf(data: bytes) -> DocumentType:
    if not PDF_HEADER.match(data):
        raise RefusedFile(N_("%(file)s starts like a PDF but has no valid version (%%PDF-1.x)."))
    if MARKUP_TAG.search(data[:PDF_TAIL]):
        raise RefusedFile(
            N_(
                "%(file)s starts like a PDF but contains HTML or script: a browser could run "
                "it as a web page. %(accepted)s"
            ),
            accepted=Phrase(ACCEPTED),
        )
    if b"%%EOF" not in data[-PDF_TAIL:]:
        raise RefusedFile(
            N_(
                "%(file)s starts like a PDF but does not end like one (no %%%%EOF): it is "
                "incomplete or not a PDF. Export the PDF again and upload it."
            )
        )
    if _is_readable_zip(data):
        raise RefusedFile(
            N_(
                "%(file)s is a PDF and a ZIP archive at the same time (a polyglot file); "
                "it is refused. Export the PDF again from the original document."
            )
        )
    return PDF


def _is_readable_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):
        return False


def _check_ooxml(data: bytes, limits: ZipLimits) -> DocumentType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            _check_zip_structure(entries, limits)
            names = {entry.filename for entry in entries}
            kind = _ooxml_kind(names)
            content_types = _read_capped(archive, CONTENT_TYPES)
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError, zlib.error):
        raise RefusedFile(
            N_(
                "%(file)s starts like a ZIP archive (as DOCX and XLSX files do) but cannot be "
                "read: it is damaged or incomplete. Save it again and upload it."
            )
        ) from None
    if OOXML_MAIN_PART[kind] not in content_types:
        raise RefusedFile(
            N_(
                "%(file)s has the parts of %(kind)s but declares another kind of document "
                "(a template or a file with macros). Save it as .%(extension)s or as PDF."
            ),
            kind=Phrase(kind.description),
            extension=kind.extension,
        )
    return kind


def _check_zip_structure(entries: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if not entries:
        raise RefusedFile(
            N_("%(file)s is an empty ZIP archive. %(accepted)s"), accepted=Phrase(ACCEPTED)
        )
    if len(entries) > limits.max_entries:
        raise RefusedFile(
            N_(
                "The archive has %(count)s entries; at most %(max)s are accepted (a DOCX or "
                "XLSX has far fewer)."
            ),
            count=len(entries),
            max=limits.max_entries,
        )
    if min(entry.header_offset for entry in entries) != 0:
        raise RefusedFile(
            N_("%(file)s has data before its ZIP archive. %(accepted)s"),
            accepted=Phrase(ACCEPTED),
        )
    if len({entry.filename for entry in entries}) != len(entries):
        raise RefusedFile(N_("The archive holds two entries with the same name; it is refused."))
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise RefusedFile(
                N_(
                    "%(file)s is password-protected (encrypted). Remove the password, save it "
                    "again and upload it."
                )
            )
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise RefusedFile(
                N_("The archive uses a compression method DOCX/XLSX files never use.")
            )
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= RATIO_CHECKED_FROM and ratio > limits.max_ratio:
            raise RefusedFile(
                N_(
                    "An entry of the archive expands %(ratio)s times when unpacked (more than "
                    "%(max)s): this looks like a zip bomb and is refused."
                ),
                ratio=Amount(ratio),
                max=limits.max_ratio,
            )
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > limits.max_unzipped_bytes:
        raise RefusedFile(
            N_(
                "The archive unpacks to %(size)s MiB; at most %(max)s MiB is accepted (zip "
                "bomb protection)."
            ),
            size=Amount(unzipped / 2**20),
            max=Amount(limits.max_unzipped_bytes / 2**20),
        )


def _ooxml_kind(names: set[str]) -> DocumentType:
    has = {kind: part in names for kind, part in OOXML_PART.items()}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise RefusedFile(
            N_("%(file)s contains macros (vbaProject.bin). Save it without macros, or as PDF.")
        )
    if CONTENT_TYPES in names and has[DOCX] != has[XLSX]:
        return DOCX if has[DOCX] else XLSX
    if has[DOCX] and has[XLSX]:
        raise RefusedFile(N_("%(file)s holds both a Word document and an Excel workbook; refused."))
    raise _really(_describe_other_zip(names))


def _really(what: str) -> RefusedFile:
    """The file is really something else (``what``, marked with ``N_``)."""
    return RefusedFile(
        N_("%(file)s is really %(what)s. %(accepted)s"),
        what=Phrase(what),
        accepted=Phrase(ACCEPTED),
    )


def _describe_other_zip(names: set[str]) -> str:
    if "mimetype" in names and "META-INF/manifest.xml" in names:
        return N_("an OpenDocument file (ODT/ODS); save it as DOCX, XLSX or PDF")
    if "ppt/presentation.xml" in names:
        return N_("a PowerPoint presentation (PPTX); save it as PDF")
    return N_("a ZIP archive, not a Word or Excel file")


def _read_capped(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        content = member.read(MAX_CONTENT_TYPES_BYTES + 1)
    if len(content) > MAX_CONTENT_TYPES_BYTES:
        raise RefusedFile(
            N_("The archive's %(name)s is implausibly large; the file is refused."), name=name
        )
    return content


def _refusal_for_other(data: bytes) -> RefusedFile:
    """Say what a file that is neither PDF nor ZIP looks like, and what to do."""
    if data.startswith(OLE_MAGIC):
        return RefusedFile(
            N_(
                "%(file)s is a legacy Microsoft Office file (.doc or .xls). Save it as Word "
                "(DOCX), Excel (XLSX) or PDF and upload that."
            )
        )
    head = data[:PDF_TAIL]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for magic, what in (
        (b"MZ", N_("a Windows program (EXE or DLL)")),
        (b"\x7fELF", N_("a program for Linux")),
        (b"{\\rtf", N_("an RTF document; save it as DOCX or PDF")),
        (b"\x89PNG", N_("a PNG image; put it in a PDF")),
        (b"\xff\xd8\xff", N_("a JPEG image; put it in a PDF")),
        (b"GIF8", N_("a GIF image; put it in a PDF")),
        (b"\x1f\x8b", N_("a gzip archive")),
        (b"Rar!", N_("a RAR archive")),
        (b"7z\xbc\xaf", N_("a 7-Zip archive")),
        (b"PK\x05\x06", N_("an empty ZIP archive")),
    ):
        if data.startswith(magic):
            return _really(what)
    if text.startswith(b"<svg") or b"<svg" in text[:300]:
        return _really(N_("an SVG image (which can hold scripts)"))
    if MARKUP_TAG.search(head):
        return _really(N_("an HTML page or script"))
    if text.startswith(b"<?xml"):
        return _really(N_("an XML file"))
    if b"\x00" not in head:
        return _really(N_("plain text (perhaps a script), not a document"))
    return RefusedFile(
        N_("%(file)s is not a PDF, DOCX or XLSX document. %(accepted)s"),
        accepted=Phrase(ACCEPTED),
    )
