"""Subnetting with 32-character bit strings instead of integer arithmetic.

An address is the string of its 32 bits; a network is the string of its first p
bits. Containment is `startswith`, masks are runs of "1" and "0", splitting appends
every k-bit suffix, and summarisation merges sibling prefixes ("...0" and "...1")
in a set until nothing changes. Parsing uses a regular expression (ASCII digits
only, `fullmatch` so a trailing newline does not slip through `$`). An IPv4 header
is read as one string of bits, sliced at the bit positions of RFC 791's diagram; the
checksum adds 16-character words and moves the carry (the characters above the low
16) back to the bottom until the sum fits in 16 characters.
"""

import re
from itertools import product

RFC6890_BLOCKS = [
    ("0.0.0.0/8", "This host on this network"), ("10.0.0.0/8", "Private-Use"),
    ("100.64.0.0/10", "Shared Address Space"), ("127.0.0.0/8", "Loopback"),
    ("169.254.0.0/16", "Link Local"), ("172.16.0.0/12", "Private-Use"),
    ("192.0.0.0/24", "IETF Protocol Assignments"), ("192.0.0.0/29", "DS-Lite"),
    ("192.0.2.0/24", "TEST-NET-1"), ("192.88.99.0/24", "6to4 Relay Anycast"),
    ("192.168.0.0/16", "Private-Use"), ("198.18.0.0/15", "Benchmarking"),
    ("198.51.100.0/24", "TEST-NET-2"), ("203.0.113.0/24", "TEST-NET-3"),
    ("240.0.0.0/4", "Reserved"), ("255.255.255.255/32", "Limited Broadcast"),
]

OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
QUAD = re.compile(rf"{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}")
CIDR = re.compile(rf"({OCTET}\.{OCTET}\.{OCTET}\.{OCTET})/(3[0-2]|[12][0-9]|[0-9])")


def _bad(argument, value, expected):
    return ValueError(
        f"Invalid value for argument `{argument}`: expected {expected}. Received: {argument}={value!r}"
    )


def _bits(text, argument="s"):
    if not isinstance(text, str) or QUAD.fullmatch(text) is None:
        raise _bad(argument, text, "a dotted quad such as '192.168.0.1'")
    return "".join(format(int(octet), "08b") for octet in text.split("."))


def _quad(bits):
    return ".".join(str(int(bits[i:i + 8], 2)) for i in range(0, 32, 8))


def _prefix(p, argument="p"):
    if type(p) is not int or not 0 <= p <= 32:
        raise _bad(argument, p, "an integer in [0, 32]")
    return p


def _count(n, argument="n"):
    if type(n) is not int or n < 1:
        raise _bad(argument, n, "an integer >= 1")
    return n


def _cidr_bits(cidr, argument="cidr"):
    match = CIDR.fullmatch(cidr) if isinstance(cidr, str) else None
    if match is None:
        raise _bad(argument, cidr, "'a.b.c.d/p' with p in 0-32")
    return _bits(match.group(1)), int(match.group(2))


def _network_bits(cidr):
    bits, p = _cidr_bits(cidr)
    if "1" in bits[p:]:
        raise _bad("cidr", cidr, "a network (host bits zero)")
    return bits[:p]


def _cidr(prefix_bits):
    return f"{_quad(prefix_bits.ljust(32, '0'))}/{len(prefix_bits)}"


def ip_to_int(s):
    return int(_bits(s), 2)


def int_to_ip(n):
    if type(n) is not int or not 0 <= n < 2**32:
        raise _bad("n", n, "an integer in [0, 2**32 - 1]")
    return _quad(format(n, "032b"))


def to_binary(s):
    bits = _bits(s)
    return ".".join(bits[i:i + 8] for i in range(0, 32, 8))


def ip_class(s):
    bits = _bits(s)
    for leading, name in (("0", "A"), ("10", "B"), ("110", "C"), ("1110", "D")):
        if bits.startswith(leading):
            return name
    return "E"


def default_mask(s):
    lengths = {"A": 8, "B": 16, "C": 24}
    name = ip_class(s)
    if name not in lengths:
        raise _bad("s", s, f"a class A, B or C address (class {name} has no default mask)")
    return prefix_to_mask(lengths[name])


def prefix_to_mask(p):
    p = _prefix(p)
    return _quad("1" * p + "0" * (32 - p))


def mask_to_prefix(mask):
    bits = _bits(mask, "mask")
    p = bits.count("1")
    if bits != "1" * p + "0" * (32 - p):
        raise _bad("mask", mask, "ones followed by zeros")
    return p


def wildcard_mask(p):
    p = _prefix(p)
    return _quad("0" * p + "1" * (32 - p))


def parse_cidr(cidr):
    bits, p = _cidr_bits(cidr)
    return int(bits, 2), p


def network_address(s, p):
    p = _prefix(p)
    return _quad(_bits(s)[:p] + "0" * (32 - p))


def broadcast_address(s, p):
    p = _prefix(p)
    return _quad(_bits(s)[:p] + "1" * (32 - p))


def host_range(s, p):
    p = _prefix(p)
    head = _bits(s)[:p]
    if p == 32:
        return _quad(head), _quad(head)
    if p == 31:
        return _quad(head + "0"), _quad(head + "1")
    return _quad(head + "0" * (31 - p) + "1"), _quad(head + "1" * (31 - p) + "0")


def usable_hosts(p):
    p = _prefix(p)
    return {31: 2, 32: 1}.get(p, 2 ** (32 - p) - 2)


def same_subnet(a, b, p):
    p = _prefix(p)
    return _bits(a, "a")[:p] == _bits(b, "b")[:p]


def split_network(cidr, new_prefix):
    head = _network_bits(cidr)
    new_prefix = _prefix(new_prefix, "new_prefix")
    if new_prefix < len(head):
        raise _bad("new_prefix", new_prefix, f"an integer in [{len(head)}, 32]")
    suffixes = product("01", repeat=new_prefix - len(head))  # in counting order
    return [_cidr(head + "".join(tail)) for tail in suffixes]


def prefix_for_subnets(cidr, n):
    _, p = _cidr_bits(cidr)
    n = _count(n)
    extra = 0
    while 2**extra < n:
        extra += 1
    if p + extra > 32:
        raise _bad("n", n, f"at most {2 ** (32 - p)} subnets of a /{p}")
    return p + extra


def prefix_for_hosts(n):
    n = _count(n)
    p = 30
    while p >= 0 and usable_hosts(p) < n:
        p -= 1
    if p < 0:
        raise _bad("n", n, "at most 2**32 - 2 hosts")
    return p


def _free_prefix(taken, head, length):
    """The lowest prefix of `length` bits under `head` that overlaps nothing taken."""
    for tail in product("01", repeat=length - len(head)):
        candidate = head + "".join(tail)
        if not any(candidate.startswith(t) or t.startswith(candidate) for t in taken):
            return candidate
    return None


def vlsm(cidr, host_counts):
    head = _network_bits(cidr)
    for n in host_counts:
        _count(n, "host_counts")
    result = [None] * len(host_counts)
    taken = []
    for i in sorted(range(len(host_counts)), key=lambda i: (-host_counts[i], i)):
        if host_counts[i] > 2**32 - 2:
            raise _bad("host_counts", host_counts, f"requests that fit in {cidr}")
        length = prefix_for_hosts(host_counts[i])
        block = _free_prefix(taken, head, length) if length >= len(head) else None
        if block is None:
            raise _bad("host_counts", host_counts, f"requests that fit in {cidr}")
        taken.append(block)
        result[i] = _cidr(block)
    return result


def summarize(cidrs):
    prefixes = {_network_bits(c) for c in cidrs}
    # Drop prefixes inside others, then merge siblings until nothing changes.
    prefixes = {p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)}
    changed = True
    while changed:
        changed = False
        for p in sorted(prefixes, key=len, reverse=True):
            if p and p[-1] == "0" and p[:-1] + "1" in prefixes:
                prefixes -= {p, p[:-1] + "1"}
                prefixes.add(p[:-1])
                changed = True
                break
    return [_cidr(p) for p in sorted(prefixes, key=lambda p: p.ljust(32, "0"))]


def special_block(s):
    return longest_prefix_match([(block, block) for block, _ in RFC6890_BLOCKS], s)


def longest_prefix_match(table, dst):
    target = _bits(dst, "dst")
    best, best_length = None, -1
    for cidr, hop in table:
        bits, p = _cidr_bits(cidr, "table")
        if target.startswith(bits[:p]) and p > best_length:
            best, best_length = hop, p
    return best


def next_hop(src_cidr, gateway, dst):
    bits, p = _cidr_bits(src_cidr, "src_cidr")
    _bits(gateway, "gateway")
    return "direct" if _bits(dst, "dst").startswith(bits[:p]) else gateway


def trace_route(routers, start, dst, ttl=64):
    if start not in routers:
        raise _bad("start", start, "the name of a router")
    if type(ttl) is not int or ttl < 1:
        raise _bad("ttl", ttl, "an integer >= 1")
    target = _bits(dst, "dst")
    owners = {_cidr_bits(i)[0]: name for name, r in routers.items() for i in r["interfaces"]}
    visited = []
    name = start
    for remaining in range(ttl - 1, -1, -1):
        visited.append(name)
        if remaining == 0:
            break
        connected = [_cidr_bits(i) for i in routers[name]["interfaces"]]
        if any(target.startswith(bits[:p]) for bits, p in connected):
            return visited + ["delivered"]
        hop = longest_prefix_match(routers[name]["routes"], dst)
        if hop is None or _bits(hop, "routers") not in owners:
            return visited + ["unreachable"]
        name = owners[_bits(hop, "routers")]
    return visited + ["ttl-exceeded"]


def _octets(data, argument):
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _bad(argument, data, "bytes, bytearray or memoryview")
    return bytes(data)


def _header_bits(data):
    return "".join(format(byte, "08b") for byte in data)


def ipv4_checksum(header):
    bits = _header_bits(_octets(header, "header"))
    bits += "0" * (-len(bits) % 16)  # an odd byte is the high half of a padded word
    total = format(sum(int(bits[i:i + 16], 2) for i in range(0, len(bits), 16)), "b")
    while len(total) > 16:  # the bits above the low 16 go round to the bottom
        total = format(int(total[-16:], 2) + int(total[:-16], 2), "b")
    return int(total.zfill(16).translate(str.maketrans("01", "10")), 2)


# (first bit, last bit + 1) of each field in RFC 791's diagram, 32 bits to a row.
FIELDS = {"version": (0, 4), "ihl": (4, 8), "total_length": (16, 32), "identification": (32, 48),
          "df": (49, 50), "mf": (50, 51), "fragment_offset": (51, 64), "ttl": (64, 72),
          "protocol": (72, 80), "checksum": (80, 96), "src": (96, 128), "dst": (128, 160)}


def parse_ipv4_header(packet):
    data = _octets(packet, "packet")
    if len(data) < 20:
        raise _bad("packet", packet, "at least the 20 bytes of an IPv4 header")
    bits = _header_bits(data[:60])
    field = {name: bits[start:stop] for name, (start, stop) in FIELDS.items()}
    if field["version"] != "0100":
        raise _bad("packet", packet, f"version 4, not {int(field['version'], 2)}")
    ihl = int(field["ihl"], 2)
    if ihl < 5 or 4 * ihl > len(data):
        raise _bad("packet", packet, f"an IHL of 5 to {len(data) // 4} words (it says {ihl})")
    if int(field["total_length"], 2) < 4 * ihl:
        raise _bad("packet", packet, "a total_length that holds at least the header")
    out = {name: int(value, 2) for name, value in field.items()}
    out.update(ihl=ihl, header_length=4 * ihl, df=field["df"] == "1", mf=field["mf"] == "1",
               fragment_offset=8 * out["fragment_offset"], src=_quad(field["src"]),
               dst=_quad(field["dst"]), checksum_ok=ipv4_checksum(data[:4 * ihl]) == 0,
               options=data[20:4 * ihl])
    return out
