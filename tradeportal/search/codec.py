"""A Whoosh codec whose posting blocks are read at C speed.

whoosh3 writes each block of up to 128 postings as a zlib-compressed pickle of (ids,
weights, values) behind a pickled header, and walks a block one Python call per posting.
Reading a block cost ~50-60 µs, most of a search at 100,000 documents (measured: the
unpickling and decompressing alone were a third of a one-word search and half of a
two-word one).

This codec writes, per block:

    header   struct: postings, last id, max weight, how the weights and values are kept,
             min and max field length (the same statistics whoosh3 keeps)
    ids      document numbers as little-endian uint32, read into an array as they are
             (deltas would save nothing uncompressed, and cost a Python sum per id)
    weights  nothing (all 1), one float32 (all equal) or one per posting
    values   positions (text fields): each posting's count of positions, then all of
             them, as uint32 arrays that a phrase search reads whole
             (docsets.phrase_array); other values as whoosh3 keeps them, pickled and
             compressed

and skips within a block by bisection. Terms, columns, stored fields and term vectors are
whoosh3's own; segments written by whoosh3 stay readable (each segment names its codec).
Built on whoosh-reloaded 2.7.5 (codec/whoosh3.py); tests/search/test_codec.py compares
every posting with whoosh3's.
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
from whoosh.system import _INT_SIZE, _int_struct
from whoosh.util.numeric import byte_to_length, length_to_byte

_MAGIC = b"TPB2"
# Posting lists of the first version ("array-1") held id deltas; those of the first two
# ("array-2") pickled positions. They stay readable.
_DELTAS_MAGIC = b"TPB1"
# postings, last id, max weight (a double, as whoosh3 keeps it: a rounded one could skip a
# block that holds a better document), weights kind, values compression, min and max
# length bytes.
_HEADER = struct.Struct("<IIdBBBB")
# The header's postings, weights kind and values compression alone.
_BLOCK_KINDS = struct.Struct("<I12xBB")
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
    """whoosh3's postings writer, writing blocks as arrays (see the module docstring)."""

    # The first version of this codec wrote id deltas, the first two pickled positions:
    # still read, and written only by the tests that read them.
    ids_as_deltas = False
    positions_as_arrays = True

    def _write_block(self, last=False):
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
            for value in values:
                found = self._format.decode_positions(value)
                counts.append(len(found))
                positions.extend(found)
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


class ArrayLeafMatcher(W3LeafMatcher):
    """whoosh3's block matcher, reading blocks written by ArrayPostingsWriter."""

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
            # Whoosh's matchers take each posting's value as the format encoded it.
            counts = _from_little_endian("I", data[: 4 * self._blocklength])
            positions = _from_little_endian("I", data[4 * self._blocklength :]).tolist()
            values, start = [], 0
            for count in counts:
                values.append(self.format.encode(positions[start : start + count]))
                start += count
            self._data = (None, None, tuple(values))
            super()._read_values()
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


class ArrayCodec(W3Codec):
    """whoosh3, with posting blocks written and read as arrays (term vectors unchanged)."""

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
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class PositionBlocks:
    """A posting list's positions, left in its blocks' bytes until asked for: a phrase
    often needs those of a few documents only, of lists holding thousands."""

    __slots__ = ("counts", "firsts", "positions")

    def __init__(self):
        self.firsts = array("I")  # the list index of each block's first posting
        self.counts: list = []  # per block: little-endian uint32, each posting's count
        self.positions: list = []  # per block: little-endian uint32, every position

    def of(self, index: int) -> array:
        """The positions of the list's posting at ``index``."""
        block = bisect_right(self.firsts, index) - 1
        counts = _from_little_endian("I", self.counts[block])
        within = index - self.firsts[block]
        start = sum(counts[:within])
        return _from_little_endian(
            "I", self.positions[block][4 * start : 4 * (start + counts[within])]
        )

    def arrays(self) -> tuple[array, array]:
        """Every posting's count of positions, and every position, of the whole list."""
        return (
            _from_little_endian("I", b"".join(self.counts)),
            _from_little_endian("I", b"".join(self.positions)),
        )


class Postings(NamedTuple):
    """A term's whole posting list in one segment: ids ascending, their weights, and
    their positions."""

    ids: array  # uint32
    weights: array | None = None  # float32, one per id, when asked for
    positions: PositionBlocks | None = None  # when asked for


_NO_POSTINGS = Postings(array("I"), array("f"), PositionBlocks())


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
    leaves them out), read in one pass; no postings when the term is absent; None when
    they are not kept in this codec's blocks (another codec, the first version's id
    deltas, or positions asked for and pickled, as the first two versions kept them):
    read them through a matcher then.

    Walking a list block by block through a matcher cost ~5 µs a block in Python calls
    (header, ids, next block); one pass over the list's bytes costs ~1 µs a block.
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
    # Slices of a memoryview copy nothing: the parts are copied once, joined.
    view = memoryview(terms._postfile.get(offset, length))
    if view[:4] != _MAGIC:
        return None
    id_parts, weight_parts, position_blocks = [], [], PositionBlocks() if positions else None
    block, first = 4, 0
    while True:
        (block_length,) = _int_struct.unpack_from(view, block)
        count, weights_kind, values_kind = _BLOCK_KINDS.unpack_from(view, block + _INT_SIZE)
        start = block + _INT_SIZE + _HEADER.size
        ids_end = start + 4 * count
        id_parts.append(view[start:ids_end])
        if weights:
            if weights_kind == _EACH:
                weight_parts.append(view[ids_end : ids_end + 4 * count])
            else:
                weight_parts.append(
                    bytes(view[ids_end : ids_end + 4]) * count
                    if weights_kind == _ALL_SAME
                    else _ONE_BYTES * count
                )
        if positions:
            if values_kind != _POSITION_ARRAYS:
                return None
            counts_start = ids_end + _weights_size(weights_kind, count)
            position_blocks.firsts.append(first)
            position_blocks.counts.append(view[counts_start : counts_start + 4 * count])
            position_blocks.positions.append(
                view[counts_start + 4 * count : block + _INT_SIZE + abs(block_length)]
            )
        if block_length < 0:
            break
        block += _INT_SIZE + block_length
        first += count
    return Postings(
        _from_little_endian("I", b"".join(id_parts)),
        _from_little_endian("f", b"".join(weight_parts)) if weights else None,
        position_blocks,
    )


_ONE_BYTES = _little_endian(array("f", [1.0]))

INDEX_CODEC = ArrayCodec()
# Recorded with each index built: an index built with another codec still works (each
# segment names its own) but is rebuilt by ``flask search rebuild --if-stale``.
CODEC_NAME = "array-3"
