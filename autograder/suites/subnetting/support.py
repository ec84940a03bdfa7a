"""Oracles, strategies and fixed tables for the hidden subnetting tests.

Python's `ipaddress` is the oracle for the arithmetic (never for strictness: it
accepts "/024" and hostmasks after the slash) and never for "is this private":
`is_private`/`is_global` answers differ between patch releases, so special blocks
are checked against the fixed RFC 6890 table below.
"""

from __future__ import annotations

import ipaddress
import struct

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

ALL_ONES = 2**32 - 1


def oracle_settings(max_examples: int) -> settings:
    """The same examples on every regrade; `sub` is stateless, so sharing it is safe."""
    return settings(derandomize=True, database=None, max_examples=max_examples, deadline=None,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink),
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


addresses = st.integers(0, ALL_ONES)
prefixes = st.integers(0, 32)


def quad(n: int) -> str:
    return str(ipaddress.IPv4Address(n))


def network(n: int, p: int) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network((n, p), strict=False)


@st.composite
def networks(draw, min_prefix=0, max_prefix=32, inside=None):
    """An IPv4Network (host bits zero), optionally inside another network."""
    if inside is None:
        p = draw(st.integers(min_prefix, max_prefix))
        return network(draw(addresses), p)
    p = draw(st.integers(max(min_prefix, inside.prefixlen), max_prefix))
    offset = draw(st.integers(0, inside.num_addresses - 1))
    return network(int(inside.network_address) + offset, p)


def usable(p: int) -> int:
    """Usable hosts by the course's convention, from ipaddress's address count."""
    total = ipaddress.IPv4Network(f"0.0.0.0/{p}").num_addresses
    return {32: 1, 31: 2}.get(p, total - 2)


# RFC 6890, section 2.2.2 (IPv4 special-purpose address registry), as published.
RFC6890 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.2.0/24", "192.88.99.0/24",
    "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
    "255.255.255.255/32",
)


def expect(got, want, call: str, hint: str = "") -> None:
    """got must equal want, with the same kind of value (str, int, bool, None, sequence)."""
    if isinstance(want, list | tuple):
        ok = isinstance(got, list | tuple) and list(got) == list(want)
    elif want is None:
        ok = got is None
    else:
        ok = type(got) is type(want) and got == want
    if not ok:
        raise AssertionError(f"{call} returned {got!r}, expected {want!r}" + (f". {hint}" if hint else ""))


def lpm(table, dst: str):
    """Longest prefix match with ipaddress; the first route wins a tie."""
    target = ipaddress.IPv4Address(dst)
    best, best_len = None, -1
    for cidr, hop in table:
        net = ipaddress.IPv4Network(cidr)
        if target in net and net.prefixlen > best_len:
            best, best_len = hop, net.prefixlen
    return best


def vlsm_oracle(cidr: str, counts: list[int]):
    """Largest request first (stable), tightest block, lowest free aligned address; None
    when the requests do not fit."""
    base = ipaddress.IPv4Network(cidr)
    start, end = int(base.network_address), int(base.broadcast_address) + 1
    taken: list[tuple[int, int]] = []
    out = [None] * len(counts)
    for i in sorted(range(len(counts)), key=lambda i: -counts[i]):
        p = max(q for q in range(31) if usable(q) >= counts[i]) if counts[i] <= usable(0) else None
        if p is None:
            return None
        size = 2 ** (32 - p)
        at = start
        while True:
            clash = next(((a, b) for a, b in taken if a < at + size and at < b), None)
            if clash is None:
                break
            at = -(-clash[1] // size) * size
        if at + size > end:
            return None
        taken.append((at, at + size))
        out[i] = str(ipaddress.IPv4Network((at, p)))
    return out


def simulate(routers: dict, start: str, dst: str, ttl: int) -> list[str]:
    """The forwarding loop of the contract, written with ipaddress."""
    target = ipaddress.IPv4Address(dst)
    owner = {ipaddress.IPv4Interface(i).ip: name for name, r in routers.items()
             for i in r["interfaces"]}
    path, current = [], start
    while True:
        path.append(current)
        ttl -= 1
        if ttl == 0:
            return path + ["ttl-exceeded"]
        router = routers[current]
        if any(target in ipaddress.IPv4Interface(i).network for i in router["interfaces"]):
            return path + ["delivered"]
        hop = lpm(router["routes"], dst)
        if hop is None or ipaddress.IPv4Address(hop) not in owner:
            return path + ["unreachable"]
        current = owner[ipaddress.IPv4Address(hop)]


def chain(n: int) -> dict:
    """Routers R1..Rn in a line; Ri's LAN is 10.i.0.0/24, link Ri-Ri+1 is 172.16.i.0/30."""
    routers = {}
    for i in range(1, n + 1):
        interfaces = [f"10.{i}.0.1/24"]
        if i > 1:
            interfaces.append(f"172.16.{i - 1}.2/30")
        if i < n:
            interfaces.append(f"172.16.{i}.1/30")
        routes = []
        for j in range(1, n + 1):
            if j > i:
                routes.append((f"10.{j}.0.0/24", f"172.16.{i}.2"))
            elif j < i:
                routes.append((f"10.{j}.0.0/24", f"172.16.{i - 1}.1"))
        routers[f"R{i}"] = {"interfaces": interfaces, "routes": routes}
    return routers


# ---------------------------------------------------------------- the IPv4 header
#
# The checksum oracle is written from RFC 1071 independently of any student-style
# loop over big-endian words: section 4.1's C code sums the data as the machine's own
# (little-endian) 16-bit words, adds an odd last byte as it lies in memory, folds the
# carries back in until none is left and complements; section 2 (B), byte order
# independence, says the result, stored back in the same byte order, is the checksum
# in network order. The hidden tests also check it against published values.


def internet_checksum(data: bytes) -> int:
    """RFC 1071's checksum of `data` as an int in network (big-endian) order."""
    padded = bytes(data) + b"\x00" * (len(data) % 2)
    total = sum(int.from_bytes(padded[i:i + 2], "little") for i in range(0, len(padded), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return int.from_bytes((~total & 0xFFFF).to_bytes(2, "little"), "big")


def ipv4_packet(*, version=4, ihl=None, tos=0, total_length=None, identification=0,
                reserved=False, df=False, mf=False, offset_units=0, ttl=64, protocol=17,
                checksum=None, src=0xC0A80001, dst=0x08080808, options=b"",
                payload=b"") -> bytes:
    """An IPv4 packet packed with `struct` (RFC 791 layout): the checksum is the oracle's
    unless given, ihl follows from the options unless given, total_length from the
    payload unless given."""
    ihl = 5 + len(options) // 4 if ihl is None else ihl
    if total_length is None:
        total_length = 20 + len(options) + len(payload)
    flags = (reserved << 15) | (df << 14) | (mf << 13) | offset_units
    header = struct.pack("!BBHHHBBHII", (version << 4) | ihl, tos, total_length, identification,
                         flags, ttl, protocol, 0, src, dst) + options
    if checksum is None:
        checksum = internet_checksum(header)
    return header[:10] + struct.pack("!H", checksum) + header[12:] + payload


# What parse_ipv4_header reports, key by key, and the type each value has.
HEADER_KEYS = {"version": int, "ihl": int, "header_length": int, "total_length": int,
               "identification": int, "df": bool, "mf": bool, "fragment_offset": int,
               "ttl": int, "protocol": int, "checksum": int, "checksum_ok": bool,
               "src": str, "dst": str, "options": bytes}


def header_fields(packet: bytes) -> dict:
    """parse_ipv4_header's answer for a well-formed packet, read with `struct`."""
    (version_ihl, _, total_length, identification, flags, ttl, protocol, checksum, src,
     dst) = struct.unpack("!BBHHHBBHII", packet[:20])
    ihl = version_ihl & 0x0F
    return {"version": version_ihl >> 4, "ihl": ihl, "header_length": 4 * ihl,
            "total_length": total_length, "identification": identification,
            "df": bool(flags & 0x4000), "mf": bool(flags & 0x2000),
            "fragment_offset": 8 * (flags & 0x1FFF), "ttl": ttl, "protocol": protocol,
            "checksum": checksum, "checksum_ok": internet_checksum(packet[:4 * ihl]) == 0,
            "src": quad(src), "dst": quad(dst), "options": bytes(packet[20:4 * ihl])}


def expect_header(got, want: dict, call: str, hint: str = "") -> None:
    """got must be a dict holding every key of want with an equal value of the stated type
    (bool for the flags, int for numbers, str for addresses, bytes for the options);
    further keys are allowed."""
    if not isinstance(got, dict):
        raise AssertionError(f"{call} returned {got!r}, expected a dict")
    missing = [k for k in want if k not in got]
    if missing:
        raise AssertionError(f"{call} returned a dict without the key(s) {missing}")
    for key, value in want.items():
        kind = HEADER_KEYS.get(key, type(value))
        if type(got[key]) is not kind or got[key] != value:
            article = "an" if kind is int else "a"
            raise AssertionError(f"{call}[{key!r}] is {got[key]!r}, expected {value!r} "
                                 f"({article} {kind.__name__})" + (f". {hint}" if hint else ""))
