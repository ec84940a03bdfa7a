"""Subnetting in a functional style over bytes: an address is parsed into 4 bytes
and read with int.from_bytes, written back with to_bytes, masks are shifts of
0xFFFFFFFF, the sizes come from bit_length, VLSM is a fold that carries the next free
address, summarisation repeatedly merges sibling blocks in a set (a fixed point),
and the route trace is a recursive walk. The checksum is a fold that adds each word
with its carry at once (one's-complement addition, word by word, never a big sum),
and the header is read by a table of fields (offset, width in bytes, how to show the
value) with int.from_bytes. It must get full marks."""

from functools import reduce

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
ONES = 0xFFFFFFFF
DIGITS = frozenset("0123456789")


def _error(name, value):
    return ValueError(f"Invalid value for argument `{name}`. Received: {name}={value!r}")


def _decimal(text):
    """int of a strict decimal string (ASCII digits, no leading zero), else None."""
    ok = 0 < len(text) <= 3 and set(text) <= DIGITS and (text == "0" or text[0] != "0")
    return int(text) if ok else None


def _quad(text, name="s"):
    if not isinstance(text, str):
        raise _error(name, text)
    octets = [_decimal(part) for part in text.split(".")]
    if len(octets) != 4 or any(o is None or o > 255 for o in octets):
        raise _error(name, text)
    return int.from_bytes(bytes(octets), "big")


def _p(p, name="p"):
    if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p <= 32:
        raise _error(name, p)
    return p


def _mask(p):
    return (ONES << (32 - p)) & ONES


def _cidr(text, name="cidr"):
    if not isinstance(text, str) or text.count("/") != 1:
        raise _error(name, text)
    quad, bits = text.split("/")
    p = _decimal(bits)
    if p is None or p > 32:
        raise _error(name, text)
    return _quad(quad, name), p


def _net(text):
    address, p = _cidr(text)
    if address & ~_mask(p) & ONES:
        raise _error("cidr", text)
    return address, p


def ip_to_int(s):
    return _quad(s)


def int_to_ip(n):
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= ONES:
        raise _error("n", n)
    return ".".join(map(str, n.to_bytes(4, "big")))


def to_binary(s):
    return ".".join(f"{byte:08b}" for byte in _quad(s).to_bytes(4, "big"))


def ip_class(s):
    first = _quad(s) >> 24
    return next(c for c, top in (("A", 128), ("B", 192), ("C", 224), ("D", 240), ("E", 256))
                if first < top)


def default_mask(s):
    p = {"A": 8, "B": 16, "C": 24}.get(ip_class(s))
    if p is None:
        raise _error("s", s)
    return prefix_to_mask(p)


def prefix_to_mask(p):
    return int_to_ip(_mask(_p(p)))


def mask_to_prefix(mask):
    value = _quad(mask, "mask")
    p = 32 - ((~value & ONES).bit_length())
    if _mask(p) != value:
        raise _error("mask", mask)
    return p


def wildcard_mask(p):
    return int_to_ip(~_mask(_p(p)) & ONES)


def parse_cidr(cidr):
    return _cidr(cidr)


def network_address(s, p):
    return int_to_ip(_quad(s) & _mask(_p(p)))


def broadcast_address(s, p):
    return int_to_ip(_quad(s) | (~_mask(_p(p)) & ONES))


def host_range(s, p):
    low, high = ip_to_int(network_address(s, p)), ip_to_int(broadcast_address(s, p))
    return (int_to_ip(low), int_to_ip(high)) if p > 30 else (int_to_ip(low + 1), int_to_ip(high - 1))


def usable_hosts(p):
    return max(2 ** (32 - _p(p)) - 2, 2 if p == 31 else 1)


def same_subnet(a, b, p):
    return not (_quad(a, "a") ^ _quad(b, "b")) & _mask(_p(p))


def split_network(cidr, new_prefix):
    network, p = _net(cidr)
    if isinstance(new_prefix, bool) or not isinstance(new_prefix, int) or not p <= new_prefix <= 32:
        raise _error("new_prefix", new_prefix)
    return [f"{int_to_ip(network + (i << (32 - new_prefix)))}/{new_prefix}"
            for i in range(1 << (new_prefix - p))]


def prefix_for_subnets(cidr, n):
    _, p = _cidr(cidr)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1 or p + (n - 1).bit_length() > 32:
        raise _error("n", n)
    return p + (n - 1).bit_length()


def prefix_for_hosts(n):
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= ONES - 1:
        raise _error("n", n)
    return min(30, 32 - (n + 1).bit_length())


def vlsm(cidr, host_counts):
    network, p = _net(cidr)
    counts = list(host_counts)
    if any(isinstance(c, bool) or not isinstance(c, int) or not 1 <= c <= ONES - 1 for c in counts):
        raise _error("host_counts", host_counts)
    order = sorted(range(len(counts)), key=lambda i: -counts[i])

    def place(state, i):
        free, placed = state
        q = prefix_for_hosts(counts[i])
        size = 1 << (32 - q)
        start = (free + size - 1) // size * size
        if start + size > network + (1 << (32 - p)):
            raise _error("host_counts", host_counts)
        return start + size, {**placed, i: f"{int_to_ip(start)}/{q}"}

    _, placed = reduce(place, order, (network, {}))
    return [placed[i] for i in range(len(counts))]


def summarize(cidrs):
    blocks = {_net(c) for c in cidrs}
    while True:
        covered = {(a, p) for a, p in blocks
                   if any(q < p and (a & _mask(q)) == b for b, q in blocks)}
        siblings = {(a & _mask(p - 1), p - 1) for a, p in blocks
                    if p > 0 and (a ^ (1 << (32 - p)), p) in blocks}
        merged = (blocks - covered) | siblings
        merged = {(a, p) for a, p in merged
                  if not any(q < p and (a & _mask(q)) == b for b, q in merged)}
        if merged == blocks:
            return [f"{int_to_ip(a)}/{p}" for a, p in sorted(blocks)]
        blocks = merged


def special_block(s):
    value = _quad(s)
    hits = [(p, c) for c, _ in RFC6890_BLOCKS for a, p in [_cidr(c)] if value & _mask(p) == a]
    return max(hits)[1] if hits else None


def longest_prefix_match(table, dst):
    value = _quad(dst, "dst")
    hits = [(-p, i, hop) for i, (cidr, hop) in enumerate(table)
            for a, p in [_cidr(cidr)] if (value ^ a) & _mask(p) == 0]
    return min(hits)[2] if hits else None


def next_hop(src_cidr, gateway, dst):
    address, p = _cidr(src_cidr, "src_cidr")
    _quad(gateway, "gateway")
    return "direct" if not (address ^ _quad(dst, "dst")) & _mask(p) else gateway


def trace_route(routers, start, dst, ttl=64):
    if start not in routers:
        raise _error("start", start)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 1:
        raise _error("ttl", ttl)
    target = _quad(dst, "dst")
    owner = {_cidr(i)[0]: name for name, r in routers.items() for i in r["interfaces"]}

    def walk(here, ttl):
        if ttl - 1 == 0:
            return [here, "ttl-exceeded"]
        router = routers[here]
        if any((a ^ target) & _mask(p) == 0 for a, p in map(_cidr, router["interfaces"])):
            return [here, "delivered"]
        hop = longest_prefix_match(router["routes"], dst)
        if hop is None or _quad(hop, "routers") not in owner:
            return [here, "unreachable"]
        return [here] + walk(owner[_quad(hop, "routers")], ttl - 1)

    return walk(start, ttl)


def _buffer(value, name):
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _error(name, value)
    return bytes(value)


def _ones_add(a, b):
    """One's-complement addition of two 16-bit words: the carry comes back in at once."""
    total = a + b
    return (total & 0xFFFF) + (total >> 16)


def ipv4_checksum(header):
    data = _buffer(header, "header")
    words = (int.from_bytes(data[i:i + 2].ljust(2, b"\x00"), "big") for i in range(0, len(data), 2))
    return 0xFFFF ^ reduce(_ones_add, words, 0)


# name -> (offset, width in bytes, what to make of the number)
_HEADER = {
    "total_length": (2, 2, int), "identification": (4, 2, int),
    "df": (6, 2, lambda v: bool(v >> 14 & 1)), "mf": (6, 2, lambda v: bool(v >> 13 & 1)),
    "fragment_offset": (6, 2, lambda v: (v & 0x1FFF) << 3), "ttl": (8, 1, int),
    "protocol": (9, 1, int), "checksum": (10, 2, int), "src": (12, 4, int_to_ip),
    "dst": (16, 4, int_to_ip),
}


def parse_ipv4_header(packet):
    data = _buffer(packet, "packet")
    version, ihl = divmod(data[0], 16) if data else (None, None)
    fields = {name: show(int.from_bytes(data[at:at + width], "big"))
              for name, (at, width, show) in _HEADER.items()} if len(data) >= 20 else {}
    if len(data) < 20 or version != 4 or not 5 <= ihl <= len(data) // 4 \
            or fields["total_length"] < 4 * ihl:
        raise _error("packet", packet)
    return {"version": version, "ihl": ihl, "header_length": 4 * ihl, **fields,
            "checksum_ok": ipv4_checksum(data[:4 * ihl]) == 0, "options": data[20:4 * ihl]}
