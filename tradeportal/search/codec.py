"""A Whoosh codec whose posting lists are read at C speed.

whoosh3 writes each block of up to 128 postings as a zlib-compressed pickle of (ids,
weights, values) behind a pickled header, and walks a block one Python call per posting.
Reading a block cost ~50-60 µs, most of a search at 100,000 documents (measured: the
unpickling and decompressing alone were a third of a one-word search and half of a
two-word one).

This codec writes each posting list as columns, after a table of its blocks:

    header     postings, blocks, how the weights and values are kept
    blocks     per block of up to 128 postings, as columns too: its first posting, its
               first position, last id, max weight (a double, as whoosh3 keeps it: a
               rounded one could skip a block that holds a better document), min and
               max field length bytes (the statistics whoosh3 keeps per block)
    ids        every document number, little-endian uint32
    weights    nothing (all 1) or one float32 per posting
    counts     text fields: each posting's count of positions, uint32
    positions  then all of them, uint32
    values     or, for values of a fixed size (the frequency of a keyword field's term),
               each posting's, as the format wrote it

A search reads a whole list with a few slices (read_postings: the same cost for any
length; when blocks followed one another it cost ~1 µs a block), and Whoosh's matchers
still read it block by block, skipping by the table. Lists of other values (of no
field of ours) are written block after block, each with its header and whoosh3's
pickled values, as earlier versions wrote every list. Terms,
columns, stored fields and term vectors are whoosh3's own; segments written by whoosh3
or by earlier versions stay readable through Whoosh's matchers (each segment names its
codec). Built on whoosh-reloaded 2.7.5 (codec/whoosh3.py); tests/search/test_codec.py
compares every posting and block statistic with whoosh3's.
"""

import struct
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from hashlib import md5
from itertools import accumulate, pairwise
from typing import NamedTuple

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter, W3TermInfo
from whoosh.compat import dumps, loads
from whoosh.filedb.filetables import md5_hash
from whoosh.formats import Positions
from whoosh.matching import ReadTooFar
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length, length_to_byte

# A list written as columns (the fourth version, "array-4").
_COLUMNS_MAGIC = b"TPB3"
# postings, blocks, weights kind, values: _POSITION_ARRAYS, or the size of each (0: none)
_LIST_HEADER = struct.Struct("<IIBB")
# Lists of blocks one after another: the first version ("array-1") held id deltas, the
# first two ("array-2") pickled positions, the third ("array-3") kept them as arrays.
# Read by Whoosh's matchers only.
_MAGIC = b"TPB2"
_DELTAS_MAGIC = b"TPB1"
# postings, last id, max weight (a double, as whoosh3 keeps it: a rounded one could skip a
# block that holds a better document), weights kind, values compression, min and max
# length bytes.
_HEADER = struct.Struct("<IIdBBBB")
_ALL_ONE, _ALL_SAME, _EACH = 0, 1, 2
_VALUES_COMPRESSION = 3
# In the compression byte: the values are positions (whoosh.formats.Positions), kept as
# arrays: each posting's count of positions, then every position.
_POSITION_ARRAYS = 255
_BIG_ENDIAN = sys.byteorder == "big"


def _weights_size(kind: int, count: int) -> int:
    """Bytes of a block's weights."""
    return 4 * count if kind == _EACH else 4 * (kind == _ALL_SAME)


def _little_endian(values: array) -> bytes:
    if _BIG_ENDIAN:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_little_endian(typecode: str, data) -> array:
    values = array(typecode)
    values.frombytes(data)
    if _BIG_ENDIAN:
        values.byteswap()
    return values


class ArrayPostingsWriter(W3PostingsWriter):
    """whoosh3's postings writer, writing each list as columns (see the module docstring)."""

    # Earlier versions of this codec wrote blocks one after another, the first with id
    # deltas, the first two with pickled positions: still read, and written only by the
    # tests that read them.
    as_columns = True
    ids_as_deltas = False
    positions_as_arrays = True

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, terminfo)
        size = format_.fixed_value_size()
        self._columns = None
        if self.as_columns and type(format_) is Positions:
            self._columns = _ListColumns(_POSITION_ARRAYS)
        elif self.as_columns and size is not None and 0 <= size < _POSITION_ARRAYS:
            self._columns = _ListColumns(size)

    def _write_block(self, last=False):
        if self._columns is not None:
            self._terminfo.add_block(self)
            self._columns.add_block(self)
            self._blockcount += 1
            if last:
                self._postfile.write(self._columns.to_bytes())
            self._new_block()
            return
        if not self._blockcount:
            self._postfile.write(_DELTAS_MAGIC if self.ids_as_deltas else _MAGIC)
        self._terminfo.add_block(self)
        ids, weights = self._ids, self._weights
        id_array = array("I", ids)
        if self.ids_as_deltas:
            id_array[1:] = array("I", (later - earlier for earlier, later in pairwise(ids)))
        if all(weight == 1.0 for weight in weights):
            weights_kind, weight_bytes = _ALL_ONE, b""
        elif all(weight == weights[0] for weight in weights):
            weights_kind, weight_bytes = _ALL_SAME, _little_endian(weights[:1])
        else:
            weights_kind, weight_bytes = _EACH, _little_endian(weights)
        values = self._mini_values()
        value_bytes, compression = b"", 0
        if values is not None and self.positions_as_arrays and type(self._format) is Positions:
            counts, positions = array("I"), array("I")
            _add_positions(self, counts, positions)
            value_bytes = _little_endian(counts) + _little_endian(positions)
            compression = _POSITION_ARRAYS
        elif values is not None:
            value_bytes, compression = dumps(values, 2), _VALUES_COMPRESSION
            value_bytes = zlib.compress(value_bytes, compression)
        header = _HEADER.pack(
            len(ids),
            ids[-1],
            self._maxweight,
            weights_kind,
            compression,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        length = len(header) + 4 * len(ids) + len(weight_bytes) + len(value_bytes)
        self._postfile.write_int(-length if last else length)
        for part in (header, _little_endian(id_array), weight_bytes, value_bytes):
            self._postfile.write(part)
        self._blockcount += 1
        self._new_block()


def _add_positions(writer, counts: array, positions: array) -> None:
    """Append the count and the positions of each posting of ``writer``'s block."""
    for value in writer._mini_values():
        found = writer._format.decode_positions(value)
        counts.append(len(found))
        positions.extend(found)


class _ListColumns:
    """A posting list gathered block by block, then written as columns (see the module
    docstring)."""

    def __init__(self, values: int):
        self.values_kind = values  # _POSITION_ARRAYS, or the size of each value
        self.positions = array("I") if values == _POSITION_ARRAYS else None
        self.values = bytearray()  # values of a fixed size
        self.counts, self.ids, self.weights = array("I"), array("I"), array("f")
        self.firsts, self.position_starts, self.last_ids = array("I"), array("I"), array("I")
        self.max_weights, self.min_lengths, self.max_lengths = array("d"), array("B"), array("B")

    def add_block(self, writer) -> None:
        self.firsts.append(len(self.ids))
        self.position_starts.append(len(self.positions) if self.positions is not None else 0)
        self.ids.extend(writer._ids)
        self.weights.extend(writer._weights)
        self.last_ids.append(writer._ids[-1])
        self.max_weights.append(writer._maxweight)
        self.min_lengths.append(length_to_byte(writer._minlength))
        self.max_lengths.append(length_to_byte(writer._maxlength))
        if self.positions is not None:
            _add_positions(writer, self.counts, self.positions)
        elif self.values_kind:
            self.values += writer._mini_values()

    def to_bytes(self) -> bytes:
        every_one = all(weight == 1.0 for weight in self.weights)
        header = _LIST_HEADER.pack(
            len(self.ids),
            len(self.firsts),
            _ALL_ONE if every_one else _EACH,
            self.values_kind,
        )
        parts = [self.firsts, self.position_starts, self.last_ids, self.max_weights]
        parts += [self.min_lengths, self.max_lengths, self.ids]
        parts += [] if every_one else [self.weights]
        parts += [self.counts, self.positions] if self.positions is not None else []
        body = b"".join(_little_endian(part) for part in parts)
        return _COLUMNS_MAGIC + header + body + self.values


class _Layout(NamedTuple):
    """Where the parts of a list written as columns start, from the list's start."""

    postings: int
    blocks: int
    weights_kind: int
    has_positions: bool
    value_size: int  # values of a fixed size, at ``counts``; 0: none (or positions)
    firsts: int
    position_starts: int
    last_ids: int
    max_weights: int
    min_lengths: int
    max_lengths: int
    ids: int
    weights: int
    counts: int
    positions: int


def _layout(header: bytes) -> _Layout:
    """The layout of a list written as columns, from its first bytes (magic, header)."""
    postings, blocks, weights_kind, values_kind = _LIST_HEADER.unpack_from(header, 4)
    firsts = 4 + _LIST_HEADER.size
    position_starts = firsts + 4 * blocks
    last_ids = position_starts + 4 * blocks
    max_weights = last_ids + 4 * blocks
    min_lengths = max_weights + 8 * blocks
    max_lengths = min_lengths + blocks
    ids = max_lengths + blocks
    weights = ids + 4 * postings
    counts = weights + (4 * postings if weights_kind == _EACH else 0)
    positions = counts + 4 * postings
    return _Layout(
        postings,
        blocks,
        weights_kind,
        values_kind == _POSITION_ARRAYS,
        0 if values_kind == _POSITION_ARRAYS else values_kind,
        firsts,
        position_starts,
        last_ids,
        max_weights,
        min_lengths,
        max_lengths,
        ids,
        weights,
        counts,
        positions,
    )


_LAYOUT_HEADER_SIZE = 4 + _LIST_HEADER.size


class ArrayLeafMatcher(W3LeafMatcher):
    """whoosh3's block matcher over lists whose blocks follow one another: this
    codec's earlier versions, and lists of values kept neither as columns nor as none."""

    def _read_header(self):
        postfile = self._postfile
        postfile.seek(self._startoffset)
        magic = postfile.read(4)
        if magic not in (_MAGIC, _DELTAS_MAGIC):
            raise ValueError(f"not a posting list of this codec: {magic!r}")
        self._deltas = magic == _DELTAS_MAGIC
        self._baseoffset = postfile.tell()

    def _goto(self, position):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        postfile = self._postfile
        length = postfile.get_int(position)
        self._lastblock = length < 0
        self._nextoffset = position + _INT_SIZE + abs(length)
        start = position + _INT_SIZE
        (
            self._blocklength,
            self._maxid,
            self._maxweight,
            self._weights_kind,
            self._compression,
            min_length,
            max_length,
        ) = _HEADER.unpack(postfile.get(start, _HEADER.size))
        self._minlength = byte_to_length(min_length)
        self._maxlength = byte_to_length(max_length)
        self._dataoffset = start + _HEADER.size

    def _weights_offset(self) -> int:
        return self._dataoffset + 4 * self._blocklength

    def _values_offset(self) -> int:
        return self._weights_offset() + _weights_size(self._weights_kind, self._blocklength)

    def _read_ids(self):
        ids = _from_little_endian("I", self._postfile.get(self._dataoffset, 4 * self._blocklength))
        self._ids = tuple(accumulate(ids)) if self._deltas else ids

    def _read_weights(self):
        count, kind = self._blocklength, self._weights_kind
        if kind == _ALL_ONE:
            self._weights = array("f", [1.0]) * count
        elif kind == _ALL_SAME:
            self._weights = _from_little_endian("f", self._postfile.get(self._weights_offset(), 4))
            self._weights *= count
        else:
            offset = self._weights_offset()
            self._weights = _from_little_endian("f", self._postfile.get(offset, 4 * count))

    def _read_values(self):
        offset = self._values_offset()
        data = self._postfile.get(offset, self._nextoffset - offset)
        if self._compression == _POSITION_ARRAYS:
            counts = _from_little_endian("I", data[: 4 * self._blocklength])
            positions = _from_little_endian("I", data[4 * self._blocklength :])
            self._values = _encoded_positions(self.format, counts, positions)
            return
        if self._compression:
            data = zlib.decompress(data)
        # whoosh3's own reading of its minified values, given the tuple it pickled.
        self._data = (None, None, loads(data) if data else None)
        super()._read_values()

    def skip_to(self, targetid):
        # whoosh3 steps through a block one posting at a time; bisect the block instead.
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            self._skip_to_block(lambda: targetid > self._maxid)
            if not self.is_active():
                return
            if self._ids is None:
                self._read_ids()
        self._i = bisect_left(self._ids, targetid, self._i)


def _encoded_positions(format_, counts: array, positions: array) -> tuple:
    """Each posting's value as the format encodes it: what Whoosh's matchers take."""
    positions = positions.tolist()
    values, start = [], 0
    for count in counts:
        values.append(format_.encode(positions[start : start + count]))
        start += count
    return tuple(values)


class ColumnLeafMatcher(ArrayLeafMatcher):
    """Whoosh's block matcher over a list written as columns: a block is a slice of
    each column, its statistics a row of the table."""

    def _read_header(self):
        postfile, start = self._postfile, self._startoffset
        layout = self._layout = _layout(postfile.get(start, _LAYOUT_HEADER_SIZE))
        table = postfile.get(start + layout.firsts, layout.ids - layout.firsts)

        def column(typecode: str, offset: int, size: int) -> array:
            at = offset - layout.firsts
            return _from_little_endian(typecode, table[at : at + size * layout.blocks])

        self._firsts = column("I", layout.firsts, 4)
        self._position_starts = column("I", layout.position_starts, 4)
        self._last_ids = column("I", layout.last_ids, 4)
        self._max_weights = column("d", layout.max_weights, 8)
        self._min_lengths = column("B", layout.min_lengths, 1)
        self._max_lengths = column("B", layout.max_lengths, 1)
        self._deltas = False
        self._baseoffset = 0  # the first block: positions are blocks' numbers here

    def _goto(self, block):
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        self._block = block
        self._lastblock = block + 1 == self._layout.blocks
        self._nextoffset = block + 1
        end = self._layout.postings if self._lastblock else self._firsts[block + 1]
        self._blocklength = end - self._firsts[block]
        self._maxid = self._last_ids[block]
        self._maxweight = self._max_weights[block]
        self._minlength = byte_to_length(self._min_lengths[block])
        self._maxlength = byte_to_length(self._max_lengths[block])

    def _column(self, typecode: str, offset: int, first: int, count: int) -> array:
        return _from_little_endian(
            typecode, self._postfile.get(self._startoffset + offset + 4 * first, 4 * count)
        )

    def _read_ids(self):
        self._ids = self._column(
            "I", self._layout.ids, self._firsts[self._block], self._blocklength
        )

    def _read_weights(self):
        if self._layout.weights_kind == _ALL_ONE:
            self._weights = array("f", [1.0]) * self._blocklength
            return
        first = self._firsts[self._block]
        self._weights = self._column("f", self._layout.weights, first, self._blocklength)

    def _read_values(self):
        block, layout = self._block, self._layout
        if layout.value_size:  # as whoosh3 reads values of a fixed size
            size = layout.value_size
            start = self._startoffset + layout.counts + size * self._firsts[block]
            data = self._postfile.get(start, size * self._blocklength)
            self._values = tuple(data[i : i + size] for i in range(0, len(data), size))
            return
        if not layout.has_positions:
            self._values = (None,) * self._blocklength
            return
        counts = self._column("I", layout.counts, self._firsts[block], self._blocklength)
        start = self._position_starts[block]
        self._values = _encoded_positions(
            self.format, counts, self._column("I", layout.positions, start, sum(counts))
        )


class ArrayCodec(W3Codec):
    """whoosh3, with posting lists written as columns (term vectors unchanged)."""

    postings_writer_class = ArrayPostingsWriter

    def postings_writer(self, dbfile, byteids=False):
        if byteids:  # term vectors: read back by whoosh3's own per-document reader
            return super().postings_writer(dbfile, byteids=True)
        return self.postings_writer_class(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=False,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        columns = dbfile.get(offset, 4) == _COLUMNS_MAGIC
        matcher = ColumnLeafMatcher if columns else ArrayLeafMatcher
        return matcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class PositionColumns:
    """A posting list's positions, left in its bytes until asked for: a phrase often
    needs those of a few documents only, of lists holding thousands."""

    __slots__ = ("counts", "firsts", "positions", "starts")

    def __init__(self, firsts: array, starts: array, counts, positions):
        self.firsts = firsts  # each block's first posting
        self.starts = starts  # each block's first position
        self.counts = counts  # little-endian uint32: each posting's count of positions
        self.positions = positions  # little-endian uint32: all of them

    def of(self, index: int) -> array:
        """The positions of the list's posting at ``index``."""
        block = bisect_right(self.firsts, index) - 1
        first = self.firsts[block]
        # The counts of the block's postings up to this one: where its positions start.
        counts = _from_little_endian("I", self.counts[4 * first : 4 * index + 4])
        start = self.starts[block] + sum(counts) - counts[-1]
        return _from_little_endian("I", self.positions[4 * start : 4 * (start + counts[-1])])


class Postings(NamedTuple):
    """A term's whole posting list in one segment: ids ascending, their weights, and
    their positions."""

    ids: array  # uint32
    weights: array | None = None  # float32, one per id, when asked for
    positions: PositionColumns | None = None  # when asked for


_NO_POSTINGS = Postings(array("I"), array("f"), PositionColumns(*[array("I")] * 4))


# A W3TermInfo: flags and statistics, then the list's offset and length in the postings
# file (when not inlined).
_TERM_STATISTICS_SIZE = W3TermInfo._struct.size
_EXTENT = struct.Struct("!qi")
# whoosh's hash file: a slot is (key hash, item position), an item (key length, value
# length, key, value); all big-endian.
_SLOT = struct.Struct("!Iq")
_ITEM_LENGTHS = struct.Struct("!ii")


def _term_info(tindex, key: bytes) -> bytes | None:
    """``tindex.get(key)``: a term's info bytes from the term index, or None.

    The same probe as whoosh's HashReader, on its memory-mapped bytes directly: a search
    of two words looks up some fifty terms, and whoosh's generators and file reads took
    ~2.8 µs a lookup, this ~1.7 µs (measured).
    """
    buffer = getattr(tindex.dbfile, "_buf", None)
    if buffer is None or tindex.hashfn is not md5_hash:
        return tindex.get(key)
    keyhash = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
    table, slots = tindex.tables[keyhash & 255]
    if not slots:
        return None
    slot, end = table + (keyhash >> 8) % slots * _SLOT.size, table + slots * _SLOT.size
    for _ in range(slots):
        slot_hash, item = _SLOT.unpack_from(buffer, slot)
        if not item:
            return None
        if slot_hash == keyhash:
            key_length, value_length = _ITEM_LENGTHS.unpack_from(buffer, item)
            start = item + _ITEM_LENGTHS.size
            if key_length == len(key) and buffer[start : start + key_length] == key:
                return bytes(buffer[start + key_length : start + key_length + value_length])
        slot += _SLOT.size
        if slot == end:
            slot = table
    return None


def read_postings(reader, fieldname: str, btext: bytes, *, weights: bool, positions=False):
    """Return a term's postings in one segment reader, deletions included (the caller
    leaves them out); no postings when the term is absent; None when the list is not
    written as columns (another codec, an earlier version, or positions asked for and
    not kept): read it through a matcher then.

    A few slices of the list's bytes, whatever its length: walking blocks through a
    matcher cost ~5 µs a block, and reading blocks that followed one another ~1 µs a
    block (measured).
    """
    terms = getattr(reader, "_terms", None)
    tindex = getattr(terms, "_tindex", None)
    if tindex is None or not isinstance(terms._codec, ArrayCodec):
        return None
    found = _term_info(tindex, terms._keycoder(fieldname, btext))
    if found is None:
        return _NO_POSTINGS
    if found[0]:  # W3TermInfo's flags: postings kept in the term index
        # whoosh-reloaded 2.7.5 fails writing them (W3PostingsWriter calls a missing
        # set_inline), so no index of ours has any.
        return None
    # Only where the list is: W3TermInfo.from_bytes unpacks every statistic (~2 µs).
    offset, length = _EXTENT.unpack_from(found, _TERM_STATISTICS_SIZE)
    # Slices of a memoryview copy nothing: each part is copied once, into its array.
    view = memoryview(terms._postfile.get(offset, length))
    if view[:4] != _COLUMNS_MAGIC:
        return None
    layout = _layout(view)
    if positions and not layout.has_positions:
        return None
    count = layout.postings
    ids = _from_little_endian("I", view[layout.ids : layout.ids + 4 * count])
    found_weights = None
    if weights:
        if layout.weights_kind == _ALL_ONE:
            found_weights = array("f", [1.0]) * count
        else:
            found_weights = _from_little_endian("f", view[layout.weights : layout.counts])
    found_positions = None
    if positions:
        blocks = layout.blocks
        found_positions = PositionColumns(
            _from_little_endian("I", view[layout.firsts : layout.firsts + 4 * blocks]),
            _from_little_endian("I", view[layout.position_starts : layout.last_ids]),
            view[layout.counts : layout.positions],
            view[layout.positions :],
        )
    return Postings(ids, found_weights, found_positions)


INDEX_CODEC = ArrayCodec()
# Recorded with each index built: an index built with another codec still works (each
# segment names its own) but is rebuilt by ``flask search rebuild --if-stale``.
CODEC_NAME = "array-4"
