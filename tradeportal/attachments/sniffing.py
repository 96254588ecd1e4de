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


@dataclass(frozen=True)
class DocumentType:
    """A kind of file editors may upload."""

    extension: str
    media_type: str
    label: str  # short, for tables: "PDF"
    description: str  # in sentences: "a PDF document"


PDF = DocumentType("pdf", "application/pdf", "PDF", "a PDF document")
DOCX = DocumentType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word (DOCX)",
    "a Word document (DOCX)",
)
XLSX = DocumentType(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Excel (XLSX)",
    "an Excel workbook (XLSX)",
)
DOCUMENT_TYPES = (PDF, DOCX, XLSX)
TYPE_BY_MEDIA_TYPE = {kind.media_type: kind for kind in DOCUMENT_TYPES}
TYPE_BY_EXTENSION = {kind.extension: kind for kind in DOCUMENT_TYPES}

ACCEPTED = "Only PDF, Word (DOCX) and Excel (XLSX) files can be uploaded."
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


class RefusedFile(Exception):
    """An upload that is not accepted, with a message for the editor."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
    shown = f"“{filename}”" if filename else "The file"
    if not data:
        raise RefusedFile(f"{shown} is empty (0 bytes).")
    try:
        kind = _identify(data, limits)
    except RefusedFile as refusal:
        # Name the file in the message, so the editor knows which one of theirs it was.
        message = refusal.message
        if message.startswith("The file "):
            message = f"{shown} {message.removeprefix('The file ')}"
        raise RefusedFile(message) from None
    extension = extension_of(filename)
    if extension == kind.extension:
        return kind
    if extension in TYPE_BY_EXTENSION:
        named = TYPE_BY_EXTENSION[extension]
        raise RefusedFile(
            f"{shown} is named like {named.description} but is really {kind.description}. "
            f"Rename it to end in .{kind.extension} if that is the file you meant."
        )
    raise RefusedFile(f"{shown} is {kind.description}; its name must end in .{kind.extension}.")


def _identify(data: bytes, limits: ZipLimits) -> DocumentType:
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    if data.startswith(b"PK\x03\x04"):
        return _check_ooxml(data, limits)
    raise RefusedFile(_refusal_for_other(data))


def _check_pdf(data: bytes) -> DocumentType:
    if not PDF_HEADER.match(data):
        raise RefusedFile("The file starts like a PDF but has no valid version (%PDF-1.x).")
    if MARKUP_TAG.search(data[:PDF_TAIL]):
        raise RefusedFile(
            "The file starts like a PDF but contains HTML or script: a browser could run it "
            "as a web page. " + ACCEPTED
        )
    if b"%%EOF" not in data[-PDF_TAIL:]:
        raise RefusedFile(
            "The file starts like a PDF but does not end like one (no %%EOF): it is "
            "incomplete or not a PDF. Export the PDF again and upload it."
        )
    if _is_readable_zip(data):
        raise RefusedFile(
            "The file is a PDF and a ZIP archive at the same time (a polyglot file); "
            "it is refused. Export the PDF again from the original document."
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
            "The file starts like a ZIP archive (as DOCX and XLSX files do) but cannot be "
            "read: it is damaged or incomplete. Save it again and upload it."
        ) from None
    if OOXML_MAIN_PART[kind] not in content_types:
        raise RefusedFile(
            f"The file has the parts of {kind.description} but declares another kind of "
            f"document (a template or a file with macros). Save it as .{kind.extension} "
            "or as PDF."
        )
    return kind


def _check_zip_structure(entries: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if not entries:
        raise RefusedFile("The file is an empty ZIP archive. " + ACCEPTED)
    if len(entries) > limits.max_entries:
        raise RefusedFile(
            f"The archive has {len(entries):,} entries; at most {limits.max_entries:,} "
            "are accepted (a DOCX or XLSX has far fewer)."
        )
    if min(entry.header_offset for entry in entries) != 0:
        raise RefusedFile("The file has data before its ZIP archive. " + ACCEPTED)
    if len({entry.filename for entry in entries}) != len(entries):
        raise RefusedFile("The archive holds two entries with the same name; it is refused.")
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise RefusedFile(
                "The file is password-protected (encrypted). Remove the password, save it "
                "again and upload it."
            )
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise RefusedFile("The archive uses a compression method DOCX/XLSX files never use.")
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= RATIO_CHECKED_FROM and ratio > limits.max_ratio:
            raise RefusedFile(
                f"An entry of the archive expands {ratio:,.0f} times when unpacked (more than "
                f"{limits.max_ratio:,}): this looks like a zip bomb and is refused."
            )
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > limits.max_unzipped_bytes:
        raise RefusedFile(
            f"The archive unpacks to {unzipped / 2**20:,.0f} MiB; at most "
            f"{limits.max_unzipped_bytes / 2**20:,.0f} MiB is accepted (zip bomb protection)."
        )


def _ooxml_kind(names: set[str]) -> DocumentType:
    has = {kind: part in names for kind, part in OOXML_PART.items()}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise RefusedFile(
            "The file contains macros (vbaProject.bin). Save it without macros, or as PDF."
        )
    if CONTENT_TYPES in names and has[DOCX] != has[XLSX]:
        return DOCX if has[DOCX] else XLSX
    if has[DOCX] and has[XLSX]:
        raise RefusedFile("The file holds both a Word document and an Excel workbook; refused.")
    raise RefusedFile(f"The file is really {_describe_other_zip(names)}. {ACCEPTED}")


def _describe_other_zip(names: set[str]) -> str:
    if "mimetype" in names and "META-INF/manifest.xml" in names:
        return "an OpenDocument file (ODT/ODS); save it as DOCX, XLSX or PDF"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation (PPTX); save it as PDF"
    return "a ZIP archive, not a Word or Excel file"


def _read_capped(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        content = member.read(MAX_CONTENT_TYPES_BYTES + 1)
    if len(content) > MAX_CONTENT_TYPES_BYTES:
        raise RefusedFile(f"The archive's {name} is implausibly large; the file is refused.")
    return content


def _refusal_for_other(data: bytes) -> str:
    """Say what a file that is neither PDF nor ZIP looks like, and what to do."""
    if data.startswith(OLE_MAGIC):
        return (
            "The file is a legacy Microsoft Office file (.doc or .xls). Save it as Word "
            "(DOCX), Excel (XLSX) or PDF and upload that."
        )
    head = data[:PDF_TAIL]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for magic, what in (
        (b"MZ", "a Windows program (EXE or DLL)"),
        (b"\x7fELF", "a program for Linux"),
        (b"{\\rtf", "an RTF document; save it as DOCX or PDF"),
        (b"\x89PNG", "a PNG image; put it in a PDF"),
        (b"\xff\xd8\xff", "a JPEG image; put it in a PDF"),
        (b"GIF8", "a GIF image; put it in a PDF"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
        (b"PK\x05\x06", "an empty ZIP archive"),
    ):
        if data.startswith(magic):
            return f"The file is really {what}. {ACCEPTED}"
    if text.startswith(b"<svg") or b"<svg" in text[:300]:
        return f"The file is really an SVG image (which can hold scripts). {ACCEPTED}"
    if MARKUP_TAG.search(head):
        return f"The file is really an HTML page or script. {ACCEPTED}"
    if text.startswith(b"<?xml"):
        return f"The file is really an XML file. {ACCEPTED}"
    if b"\x00" not in head:
        return f"The file is really plain text (perhaps a script), not a document. {ACCEPTED}"
    return f"The file is not a PDF, DOCX or XLSX document. {ACCEPTED}"
