"""Whole per-document columns of a Whoosh segment, read at once for scoring.

Scoring asks for a document's field length and weight once per scored document. Whoosh
answers each through four or five Python calls (a column reader, an unpack, a
translation), ~4 µs a time and a fifth of a common-word search at 100,000 documents.
Read once per searcher, they are one index into an array.

Relies on whoosh-reloaded 2.7.5's fixed-width numeric columns (columns.NumericColumn:
``_dbfile``, ``_basepos``, ``_count``, ``_typecode``, ``_default``) and its per-document
reader of field lengths (codec/whoosh3.py); tests/search/test_column_arrays.py compares
every value with Whoosh's own answer.
"""

import sys
from array import array

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.util.numeric import byte_to_length


def _numbers(column_reader, doc_count: int) -> array | None:
    """Return every value of a raw numeric column reader, or None for another kind."""
    if type(column_reader) is not NumericColumn.Reader:
        return None
    size = column_reader._fixedlen
    stored = column_reader._dbfile.get(column_reader._basepos, column_reader._count * size)
    values = array(column_reader._typecode, stored)
    if size > 1 and sys.byteorder == "little":
        values.byteswap()  # Whoosh writes them big-endian ("!")
    # Documents after the last one written take the default.
    values.extend([column_reader._default] * (doc_count - len(values)))
    return values


def numeric_column(reader, fieldname: str) -> list | None:
    """Return a sortable NUMERIC field's column over all documents of ``reader`` (global
    numbers when it has several segments), translated as ``column_reader`` would, or None
    when a segment stores it differently."""
    field = reader.schema[fieldname]
    values: list = []
    for segment, offset in reader.leaf_readers():
        if len(values) != offset:
            return None
        if not segment.has_column(fieldname):
            default = field.from_column_value(field.column_type.default_value())
            values.extend([default] * segment.doc_count_all())
            continue
        raw = _numbers(segment.column_reader(fieldname, translate=False), segment.doc_count_all())
        if raw is None:
            return None
        values.extend(map(field.from_column_value, raw))
    return values


# Whoosh stores a field length as one byte (a logarithmic scale); 0 means "none".
_LENGTHS = tuple(byte_to_length(code) for code in range(256))


def field_lengths(segment, fieldname: str, default: int = 1):
    """Return a function docnum -> the field's length in one segment, as
    ``segment.doc_field_length(docnum, fieldname, default)`` answers (``default`` when no
    document of the segment has the field, None for one document without it); None when
    the lengths cannot be read this way."""
    perdoc = getattr(segment, "_perdoc", None)
    if perdoc is None:
        return None
    lengths_name = _lenfield(fieldname)
    if not perdoc.has_column(lengths_name):
        return lambda docnum: default
    raw = _numbers(perdoc.column_reader(lengths_name, LENGTHS_COLUMN), segment.doc_count_all())
    if raw is None:
        return None
    return FieldLengths(raw.tobytes())


class FieldLengths:
    """docnum -> a field's length in one segment, from the lengths' byte codes.

    ``codes`` and ``LENGTH_OF_CODE`` are public so that a caller scoring many documents
    can key its work on the byte (at most 256 lengths) instead of the document.
    """

    def __init__(self, codes: bytes):
        self.codes = codes

    def __call__(self, docnum: int) -> int | None:
        return LENGTH_OF_CODE[self.codes[docnum]]


# A length's byte code -> the length; 0 is a document without the field.
LENGTH_OF_CODE = (None, *_LENGTHS[1:])
