"""Hidden tests: the Internet checksum (RFC 1071) and reading an IPv4 header (RFC 791).

Packets are packed here with `struct`; expected checksums come from the oracle in
support.py (RFC 1071's own byte-order-independent loop) and, for the crafted packets,
from published values as well.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import expect_raises_value_error
from autograder.marks import graded
from autograder.suites.subnetting.support import (
    addresses,
    expect_header,
    header_fields,
    internet_checksum,
    ipv4_packet,
    oracle_settings,
)

# Wikipedia's worked example (UDP, 192.168.0.1 -> 192.168.0.199), checksum field zeroed.
WIKIPEDIA = bytes.fromhex("450000730000400040110000c0a80001c0a800c7")
# RFC 1071, section 3: these bytes sum to 0xddf2, so the checksum is 0x220d.
RFC1071_EXAMPLE = bytes.fromhex("0001f203f4f5f6f7")


def _show(data: bytes) -> str:
    return repr(data.hex()) if len(data) <= 64 else f"<{len(data)} bytes: {data[:8].hex()}...>"


def expect_checksum(got, want: int, call: str, hint: str = "") -> None:
    """got must be the int want; both are shown in hexadecimal."""
    if type(got) is not int or got != want:
        shown = f"{got:#06x}" if type(got) is int else repr(got)
        raise AssertionError(f"{call} returned {shown}, expected {want:#06x}" + (f". {hint}" if hint else ""))


def _checksum(sub, data, why=""):
    expect_checksum(sub.ipv4_checksum(data), internet_checksum(data), f"ipv4_checksum({_show(data)})", why)


def _in_runner(sub, data: bytes):
    """(array handle, memoryview handle) of a copy of data kept in the runner: the student's
    function gets a writable memoryview, and the array shows any write through it."""
    array = sub.keep(np.frombuffer(data, dtype=np.uint8).copy())
    return array, array.data


def _unchanged(array, data: bytes, call: str) -> None:
    after = np.asarray(array).astype(np.uint8).tobytes()
    if after != data:
        raise AssertionError(f"{call} changed its argument in place: it held {data.hex()}, "
                             f"now {after.hex()}. Copy it (bytes(...)) before padding or "
                             "zeroing a field")


# ---------------------------------------------------------------- ipv4_checksum


@graded(points=2, task="ipv4_checksum")
def test_checksum_known_packets(sub):
    """Are the checksums of Wikipedia's example header (0xb861) and RFC 1071's example (0x220d) right?"""
    expect_checksum(sub.ipv4_checksum(WIKIPEDIA), 0xB861,
                    "ipv4_checksum(<Wikipedia's header, checksum field 0>)",
                    "sum 16-bit big-endian words, fold the carries back in, then complement")
    expect_checksum(sub.ipv4_checksum(RFC1071_EXAMPLE), 0x220D,
                    "ipv4_checksum(bytes.fromhex('0001f203f4f5f6f7'))")
    icmp_time_exceeded = ipv4_packet(tos=0xC0, total_length=56, identification=0x1C46, ttl=255,
                                     protocol=1, checksum=0, src=0x0A000C02, dst=0xC0A8010A)
    _checksum(sub, icmp_time_exceeded[:20])
    for data, want in ((b"", 0xFFFF), (bytes(20), 0xFFFF), (b"\xff\xff", 0x0000)):
        expect_checksum(sub.ipv4_checksum(data), want, f"ipv4_checksum({data!r})",
                        "the complement of a sum of 0 is 0xFFFF, of 0xFFFF is 0")


@st.composite
def _zeroed_headers(draw):
    """A header of 20-60 bytes (5-15 words) whose checksum field is 0."""
    words = draw(st.integers(5, 15))
    data = bytearray(draw(st.binary(min_size=4 * words, max_size=4 * words)))
    data[10:12] = b"\x00\x00"
    return bytes(data)


@graded(points=2, task="ipv4_checksum")
@oracle_settings(100)
@given(header=_zeroed_headers())
def test_checksum_inserted_verifies_to_zero(sub, header):
    """With its checksum put into bytes 10-11, does a header's whole checksum come out 0?"""
    checksum = sub.ipv4_checksum(header)
    expect_checksum(checksum, internet_checksum(header), f"ipv4_checksum({header.hex()!r})")
    whole = header[:10] + checksum.to_bytes(2, "big") + header[12:]
    expect_checksum(sub.ipv4_checksum(whole), 0, f"ipv4_checksum({whole.hex()!r}) (checksum inserted)",
                    "a header that carries its own checksum sums to 0xFFFF, whose complement is 0")


@graded(points=2, task="ipv4_checksum")
@oracle_settings(120)
@given(data=st.binary(max_size=200))
def test_checksum_matches_oracle(sub, data):
    """On random byte strings of any length, odd ones included, is the checksum RFC 1071's?"""
    _checksum(sub, data)


@graded(points=1, task="ipv4_checksum")
def test_checksum_carries_wrap_more_than_once(sub):
    """Is the carry folded in again when folding makes a new one (ffff ffff ffff 0001, long runs of ff)?"""
    data = b"\xff\xff" * 3 + b"\x00\x01"  # 0x2fffe -> 0xfffe + 2 = 0x10000 -> 0x0001
    expect_checksum(sub.ipv4_checksum(data), 0xFFFE, "ipv4_checksum(bytes.fromhex('ffffffffffff0001'))",
                    "fold the carries back in until none is left: one fold can produce a new carry")
    for data in (b"\xff" * 65535, b"\xff\xfe" * 32767, b"\xff" * 1000 + b"\x00\x03"):
        _checksum(sub, data, "a long input's sum needs several folds")


@graded(points=1, task="ipv4_checksum")
def test_checksum_odd_lengths(sub):
    """Is an odd last byte the high byte of a word padded with zero (b'\\x01' gives 0xfeff)?"""
    expect_checksum(sub.ipv4_checksum(b"\x01"), 0xFEFF, "ipv4_checksum(b'\\x01')",
                    "pad at the end: the last byte is the high (first) byte of its word")
    for data in (b"\x45\x00\x00", WIKIPEDIA + b"\x7f", RFC1071_EXAMPLE[:7], b"\xff" * 3):
        _checksum(sub, data, "pad an odd length with one zero byte at the end")


@graded(points=1, task="ipv4_checksum")
def test_checksum_memoryview_left_unchanged(sub):
    """Is a memoryview (even or odd length) accepted, with the same checksum as bytes, and left unchanged?"""
    for data in (WIKIPEDIA, WIKIPEDIA + b"\x7f", RFC1071_EXAMPLE[:5]):
        array, view = _in_runner(sub, data)
        call = f"ipv4_checksum(memoryview of {data.hex()!r})"
        expect_checksum(sub.ipv4_checksum(view), internet_checksum(data), call)
        _unchanged(array, data, call)


@graded(points=1, task="ipv4_checksum")
def test_checksum_invalid_arguments(sub):
    """Do a str, a list of ints, an int and None raise ValueError naming `header`?"""
    for bad in ("4500", [0x45, 0x00], 0x4500, None):
        expect_raises_value_error(sub.ipv4_checksum, bad, argument="header")


# ---------------------------------------------------------------- parse_ipv4_header


def _parse(sub, packet, hint=""):
    expect_header(sub.parse_ipv4_header(packet), header_fields(packet),
                  f"parse_ipv4_header({packet.hex()!r})", hint)


@graded(points=1, task="parse_ipv4_header")
def test_parse_known_packet(sub):
    """Is an ICMP Time Exceeded packet read field by field (TTL 255, no flags, 10.0.12.2 -> 192.168.1.10)?"""
    packet = ipv4_packet(tos=0xC0, total_length=56, identification=0x1C46, ttl=255, protocol=1,
                         src=0x0A000C02, dst=0xC0A8010A, payload=bytes(36))
    want = {"version": 4, "ihl": 5, "header_length": 20, "total_length": 56,
            "identification": 0x1C46, "df": False, "mf": False, "fragment_offset": 0, "ttl": 255,
            "protocol": 1, "checksum": internet_checksum(packet[:10] + bytes(2) + packet[12:20]),
            "checksum_ok": True, "src": "10.0.12.2", "dst": "192.168.1.10", "options": b""}
    expect_header(sub.parse_ipv4_header(packet), want, f"parse_ipv4_header({packet.hex()!r})")


@st.composite
def _packets(draw):
    """Any well-formed header: options, flags (reserved bit too), offsets, TTL, protocol."""
    options = draw(st.binary(max_size=40).map(lambda b: b[:len(b) // 4 * 4]))
    payload_size = draw(st.integers(0, 64))
    return ipv4_packet(
        tos=draw(st.integers(0, 255)), identification=draw(st.integers(0, 0xFFFF)),
        reserved=draw(st.booleans()), df=draw(st.booleans()), mf=draw(st.booleans()),
        offset_units=draw(st.integers(0, 0x1FFF)), ttl=draw(st.integers(0, 255)),
        protocol=draw(st.integers(0, 255)), src=draw(addresses), dst=draw(addresses),
        options=options, payload=bytes(payload_size),
        total_length=draw(st.integers(20 + len(options), 0xFFFF)) if draw(st.booleans()) else None)


@graded(points=3, task="parse_ipv4_header")
@oracle_settings(120)
@given(packet=_packets())
def test_parse_round_trip(sub, packet):
    """On random packets packed with struct (options, fragments, any TTL), is every field read back?"""
    _parse(sub, packet)


@graded(points=1, task="parse_ipv4_header")
def test_parse_options(sub):
    """With options (IHL 6-15), are header_length, options, addresses and the whole-header checksum right?"""
    for options in (b"\x94\x04\x00\x00", b"\x01" * 3 + b"\x00", b"\x07\x27\x04" + bytes(37)):
        packet = ipv4_packet(options=options, src=0x0A000001, dst=0xAC10FE01, payload=b"data")
        _parse(sub, packet, "the header is 4 * ihl bytes; options follow the first 20 and the "
                            "checksum covers them too")


@graded(points=2, task="parse_ipv4_header")
def test_parse_fragments(sub):
    """Are DF, MF and the offset in bytes (field times 8) right for each fragment, reserved bit ignored?"""
    cases = (dict(mf=True, offset_units=0), dict(mf=True, offset_units=185),
             dict(offset_units=370), dict(df=True), dict(reserved=True, mf=True, offset_units=1),
             dict(reserved=True, df=True, mf=True, offset_units=0x1FFF))
    for fields in cases:
        packet = ipv4_packet(identification=0xBEEF, payload=bytes(24), **fields)
        _parse(sub, packet, "flags are the top 3 bits of bytes 6-7 (reserved, DF, MF), the "
                            "offset the low 13 bits, counted in 8-byte units")


@graded(points=1, task="parse_ipv4_header")
def test_parse_bad_checksum(sub):
    """When a router changes the TTL without fixing the checksum, is checksum_ok False (no error raised)?"""
    good = ipv4_packet(ttl=64, protocol=6, payload=bytes(20))
    stale = good[:8] + b"\x3f" + good[9:]  # TTL 63, checksum still the one for 64
    _parse(sub, stale, "checksum_ok is True only when the checksum of the whole header is 0")
    flipped = good[:19] + bytes([good[19] ^ 0x10]) + good[20:]
    _parse(sub, flipped)


@graded(points=1, task="parse_ipv4_header")
def test_parse_reads_only_the_header(sub):
    """Is a packet longer than total_length (padding), or cut short after the header, parsed without error?"""
    padded = ipv4_packet(total_length=28, payload=bytes(8) + bytes(18))
    _parse(sub, padded, "trailing bytes after total_length are link-layer padding")
    cut = ipv4_packet(total_length=1500, options=b"\x01\x01\x01\x00")
    _parse(sub, cut, "only the header is read: a capture may end after it")


@graded(points=1, task="parse_ipv4_header")
def test_parse_memoryview_left_unchanged(sub):
    """Is a memoryview accepted and left unchanged (its checksum field too)?"""
    for packet in (ipv4_packet(payload=b"abcd"), ipv4_packet(ttl=1, checksum=0x1234, options=bytes(8))):
        array, view = _in_runner(sub, packet)
        call = f"parse_ipv4_header(memoryview of {packet.hex()!r})"
        expect_header(sub.parse_ipv4_header(view), header_fields(packet), call)
        _unchanged(array, packet, call)


@graded(points=1, task="parse_ipv4_header")
def test_parse_rejects_short_and_other_versions(sub):
    """Do packets under 20 bytes, and versions other than 4 (0, 6, 15), raise ValueError naming `packet`?"""
    good = ipv4_packet(payload=bytes(8))
    for bad in (b"", good[:1], good[:19]):
        expect_raises_value_error(sub.parse_ipv4_header, bad, argument="packet")
    for version in (0, 6, 15):
        expect_raises_value_error(sub.parse_ipv4_header, ipv4_packet(version=version, payload=bytes(8)),
                                  argument="packet")


@graded(points=1, task="parse_ipv4_header")
def test_parse_rejects_bad_lengths(sub):
    """Do IHL < 5, a header longer than the packet, total_length < header raise ValueError naming `packet`?"""
    for ihl in (0, 1, 4):
        expect_raises_value_error(sub.parse_ipv4_header, ipv4_packet(ihl=ihl, payload=bytes(8)),
                                  argument="packet")
    for ihl, extra in ((6, 0), (15, 36), (15, 39)):
        expect_raises_value_error(sub.parse_ipv4_header, ipv4_packet(ihl=ihl, total_length=60,
                                                                     payload=bytes(extra)),
                                  argument="packet")
    for total, options in ((19, b""), (0, b""), (20, bytes(4)), (27, bytes(8))):
        expect_raises_value_error(sub.parse_ipv4_header, ipv4_packet(total_length=total, options=options,
                                                                     payload=bytes(30)),
                                  argument="packet")


@graded(points=1, task="parse_ipv4_header")
def test_parse_rejects_non_bytes(sub):
    """Do a str, a list of ints and None raise ValueError naming `packet`?"""
    for bad in (WIKIPEDIA.hex(), list(WIKIPEDIA), None):
        expect_raises_value_error(sub.parse_ipv4_header, bad, argument="packet")
