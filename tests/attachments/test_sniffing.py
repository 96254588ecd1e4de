"""The type of an upload comes from its bytes; disguises are refused with what they really are."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.attachments.documents import (
    HTML_PAGE,
    LEGACY_WORD,
    SVG_IMAGE,
    WINDOWS_PROGRAM,
    docx_bytes,
    docx_members,
    encrypted,
    pdf_bytes,
    xlsx_bytes,
    xlsx_members,
    zip_bytes,
)
from tradeportal.attachments.services import display_filename
from tradeportal.attachments.sniffing import (
    DOCX,
    PDF,
    XLSX,
    RefusedFile,
    ZipLimits,
    extension_of,
    sniff_document,
)


def refusal(data: bytes, filename: str, **limits) -> str:
    with pytest.raises(RefusedFile) as caught:
        sniff_document(data, filename, ZipLimits(**limits) if limits else ZipLimits())
    return caught.value.message


@pytest.mark.parametrize(
    ("data", "filename", "kind"),
    [
        (pdf_bytes(), "permit.pdf", PDF),
        (pdf_bytes(), "PERMIT.PDF", PDF),
        (docx_bytes(), "form.docx", DOCX),
        (xlsx_bytes(), "fees.xlsx", XLSX),
        (xlsx_bytes(), "C:\\Users\\ed\\fees.XLSX", XLSX),
    ],
)
def test_real_documents_are_accepted_with_their_type(data, filename, kind):
    assert sniff_document(data, filename) is kind


def test_a_pdf_with_trailing_bytes_after_its_end_marker_is_still_a_pdf():
    assert sniff_document(pdf_bytes() + b"\r\n" + b"\x00" * 500, "a.pdf") is PDF


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (HTML_PAGE, "report.pdf", "HTML page"),
        (b"\xef\xbb\xbf  \n" + HTML_PAGE, "report.pdf", "HTML page"),
        (SVG_IMAGE, "report.pdf", "SVG image"),
        (b"alert(document.cookie);\n", "report.pdf", "plain text"),
        (WINDOWS_PROGRAM, "report.pdf", "Windows program"),
        (LEGACY_WORD, "report.doc", "legacy Microsoft Office file"),
        (LEGACY_WORD, "report.docx", "legacy Microsoft Office file"),
        (LEGACY_WORD, "fees.xls", "Save it as Word (DOCX), Excel (XLSX) or PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "scan.pdf", "PNG image"),
        (b"{\\rtf1\\ansi hello}", "form.docx", "RTF document"),
        (b"PK\x05\x06" + b"\x00" * 18, "form.docx", "empty ZIP archive"),
        (b"\x00\x01\x02\x03" * 10, "form.pdf", "not a PDF, DOCX or XLSX"),
    ],
)
def test_other_kinds_of_file_are_refused_saying_what_they_are(data, filename, expected):
    assert expected in refusal(data, filename)


def test_the_refusal_names_the_file():
    message = refusal(WINDOWS_PROGRAM, "report.pdf")
    assert message.startswith("“report.pdf” is really a Windows program (EXE or DLL).")


def test_an_empty_file_is_refused():
    assert "is empty" in refusal(b"", "form.pdf")


def test_a_zip_without_a_word_document_named_docx_is_refused_as_a_zip():
    data = zip_bytes({"[Content_Types].xml": "<Types/>", "notes.txt": "hello"})
    message = refusal(data, "form.docx")
    assert "really a ZIP archive, not a Word or Excel file" in message


def test_a_docx_renamed_xlsx_is_refused_as_what_it_is():
    message = refusal(docx_bytes(), "fees.xlsx")
    assert "named like an Excel workbook (XLSX) but is really a Word document (DOCX)" in message
    assert ".docx" in message


def test_a_pdf_named_docx_is_refused_as_a_pdf():
    assert "is really a PDF document" in refusal(pdf_bytes(), "form.docx")


@pytest.mark.parametrize("data", [docx_bytes(), xlsx_bytes()])
def test_a_zip_document_named_pdf_is_refused_as_what_it_is(data):
    message = refusal(data, "report.pdf")
    assert "named like a PDF document but is really" in message


@pytest.mark.parametrize("filename", ["form", "form.exe", "form.html", "form.pdf.exe", ""])
def test_a_document_needs_its_own_extension(filename):
    assert "name must end in .pdf" in refusal(pdf_bytes(), filename)


def test_html_behind_a_pdf_header_is_refused():
    data = b"%PDF-1.7\n" + HTML_PAGE + b"\n%%EOF\n"
    assert "contains HTML or script" in refusal(data, "report.pdf")


def test_a_pdf_header_without_an_end_marker_is_refused():
    assert "does not end like one" in refusal(pdf_bytes()[:-20], "report.pdf")
    assert "no valid version" in refusal(b"%PDF-x\n%%EOF", "report.pdf")


def test_a_pdf_that_is_also_a_zip_with_an_html_entry_is_refused():
    # A polyglot: PDF readers see the PDF, ZIP readers the (HTML) archive appended to it.
    data = pdf_bytes() + zip_bytes({"index.html": HTML_PAGE})
    assert "PDF and a ZIP archive at the same time" in refusal(data, "report.pdf")


def test_a_zip_with_bytes_before_it_is_refused():
    data = b"PK\x03\x04" + b"\x00" * 100 + docx_bytes()
    assert "“form.docx” has data before its ZIP archive" in refusal(data, "form.docx")


def test_a_truncated_docx_is_refused_as_damaged():
    data = docx_bytes()
    assert "cannot be read" in refusal(data[: len(data) // 2], "form.docx")


def test_an_encrypted_docx_is_refused():
    assert "password-protected" in refusal(encrypted(docx_bytes()), "form.docx")


def test_a_docx_with_macros_is_refused():
    data = zip_bytes({**docx_members(), "word/vbaProject.bin": b"\x00macro"})
    assert "contains macros" in refusal(data, "form.docx")


def test_a_docx_declaring_a_macro_document_type_is_refused():
    members = docx_members()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "vnd.ms-word.document.macroEnabled.main+xml",
    )
    assert "declares another kind of document" in refusal(zip_bytes(members), "form.docx")


def test_an_open_document_text_is_refused_with_advice():
    data = zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "META-INF/manifest.xml": "<manifest/>",
            "content.xml": "<x/>",
        }
    )
    assert "OpenDocument" in refusal(data, "form.docx")


def test_a_file_with_both_a_word_and_an_excel_part_is_refused():
    data = zip_bytes({**docx_members(), **xlsx_members()})
    assert "both a Word document and an Excel workbook" in refusal(data, "form.docx")


def test_a_zip_bomb_entry_is_refused():
    # 20 MiB of zeros deflate to about 20 KiB: a ratio near 1,000 where documents stay low.
    data = zip_bytes({**docx_members(), "word/media/padding.bin": b"\x00" * (20 * 2**20)})
    assert len(data) < 100_000
    assert "looks like a zip bomb" in refusal(data, "form.docx")


def test_the_declared_unzipped_total_is_capped():
    data = zip_bytes({**docx_members(), "word/extra.xml": "x" * 5000}, level=0)
    assert "unpacks to" in refusal(data, "form.docx", max_unzipped_bytes=4096)
    assert sniff_document(data, "form.docx", ZipLimits(max_unzipped_bytes=10_000)) is DOCX


def test_the_number_of_entries_is_capped():
    members = {**docx_members(), **{f"word/part{n}.xml": "<x/>" for n in range(20)}}
    assert "23 entries; at most 10" in refusal(zip_bytes(members), "form.docx", max_entries=10)


def test_duplicate_entry_names_are_refused():
    import io
    import warnings
    import zipfile

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we want
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in docx_members().items():
                archive.writestr(name, content)
            archive.writestr("word/document.xml", "<other/>")
    assert "same name" in refusal(buffer.getvalue(), "form.docx")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a.PDF", "pdf"), ("archive.tar.gz", "gz"), ("noext", ""), ("dir.d\\file.docx", "docx")],
)
def test_extension_of(name, expected):
    assert extension_of(name) == expected


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("Import permit (v2).pdf", "Import_permit_v2.pdf"),
        ("Règlement douanier.PDF", "Reglement_douanier.PDF"),
        ("../../etc/form.pdf", "etc_form.pdf"),
        ("факт.pdf", "file.pdf"),
        (".pdf", "file.pdf"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_display_names_are_safe_and_keep_the_extension(original, expected):
    assert display_filename(original, PDF) == expected


PREFIXES = st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04", b"MZ", b"<html>"])


@settings(max_examples=300)
@given(prefix=PREFIXES, body=st.binary(max_size=2000), name=st.sampled_from(["a.pdf", "a.docx"]))
def test_arbitrary_bytes_are_refused_cleanly_never_crashing(prefix, body, name):
    try:
        kind = sniff_document(prefix + body, name)
    except RefusedFile as refused:
        assert refused.message
    else:  # only possible for a well-formed document; then it must agree with the name
        assert name.endswith(kind.extension)


@settings(max_examples=200)
@given(data=st.data())
def test_damaged_documents_are_refused_cleanly_never_crashing(data):
    original = data.draw(st.sampled_from([docx_bytes(), xlsx_bytes(), pdf_bytes()]))
    position = data.draw(st.integers(0, len(original) - 1))
    replacement = data.draw(st.binary(min_size=1, max_size=8))
    damaged = original[:position] + replacement + original[position + len(replacement) :]
    name = "x.docx" if original.startswith(b"PK") else "x.pdf"
    try:
        sniff_document(damaged, name)
    except RefusedFile as refused:
        assert refused.message


# --- the same refusals in the language of a page ---------------------------------------


def test_the_english_wording_keeps_the_pdf_markers_as_written():
    assert refusal(pdf_bytes()[:-20], "report.pdf").startswith(
        "“report.pdf” starts like a PDF but does not end like one (no %%EOF)"
    )
    assert refusal(b"%PDF-x\n%%EOF", "").startswith(
        "The file starts like a PDF but has no valid version (%PDF-1.x)."
    )


def test_a_refusal_is_said_in_french_on_a_french_page(app):
    with app.test_request_context("/?lang=fr"):
        with pytest.raises(RefusedFile) as caught:
            sniff_document(docx_bytes(), "fees.xlsx")
        french = caught.value.text
        assert french.startswith(
            "« fees.xlsx » porte un nom prévu pour un classeur Excel (XLSX) mais est en "
            "réalité un document Word (DOCX)."
        )
        with pytest.raises(RefusedFile) as caught:
            sniff_document(pdf_bytes()[:-20], "")
        assert "Le fichier commence comme un PDF" in caught.value.text
        assert "(pas de %%EOF)" in caught.value.text
        members = {**docx_members(), **{f"word/part{n}.xml": "<x/>" for n in range(1200)}}
        with pytest.raises(RefusedFile) as caught:
            sniff_document(zip_bytes(members), "form.docx", ZipLimits(max_entries=1000))
        said = caught.value.text.replace("\u202f", " ").replace("\xa0", " ")
        assert "L'archive contient 1 203 entrées ; 1 000 au plus sont acceptées" in said
    # The English message (logs, command line) is unchanged.
    assert caught.value.message.startswith("The archive has 1,203 entries; at most 1,000")
