r"""
Title: IPv4 addressing, subnetting and how any two computers reach each other
Description: The TCP/IP layers, IPv4 addresses in decimal and binary, classful
    addressing as history, CIDR, subnetting, VLSM, summarisation, special-purpose
    blocks, and the journey of a packet: ARP or gateway, longest prefix match, TTL;
    the IPv4 header and its checksum, fragments, traceroute and NAT.
Prerequisites: binary numbers and powers of two; Python integers and bit operators.
Assignment: subnetting
"""

import math
import os
import struct
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

# Figures go to figures/ beside these notes (run as a notebook: beside the notebook, the
# kernel's working folder), or to the folder named by $NEUROGRADE_FIGURES.
HERE = Path(__file__).parent if "__file__" in globals() else Path.cwd()
FIGURES = Path(os.environ.get("NEUROGRADE_FIGURES", HERE / "figures"))
FIGURES.mkdir(parents=True, exist_ok=True)

r"""
## 1. Layers: four in the standard, five in the classroom

The Internet joins networks that were built independently (Ethernet LANs, Wi-Fi,
fibre links) into one "network of networks". What lets any two of its hosts talk
is a stack of agreed protocols, each layer using the service of the one below.

RFC 1122, the standard that says what an Internet host must do, names **four**
layers:

| RFC 1122 layer | job | examples |
| --- | --- | --- |
| application | what programs say to each other | HTTP, DNS, SMTP, SSH |
| transport | end-to-end delivery between processes | TCP (reliable stream), UDP (datagrams) |
| internet | moving a packet across networks, hop by hop | IP, ICMP |
| link | moving a frame across one network | Ethernet, Wi-Fi, ARP |

Many textbooks split the link layer into a *data link* layer and a *physical*
layer (the signals on the wire) and teach a **five-layer** model. That is a
teaching device that borrows the bottom of the seven-layer OSI model; it is not
what the TCP/IP standards define. Either way, the layer this chapter is about is
the internet layer: IP gives every interface an address and moves packets between
networks, and makes no promise that they arrive (TCP, above it, adds that).

## 2. An IPv4 address is a 32-bit number

An IPv4 address is 32 bits. We write it as four bytes (octets) in decimal,
separated by dots, most significant first:

$$a.b.c.d \;\longmapsto\; n = a\cdot 2^{24} + b\cdot 2^{16} + c\cdot 2^{8} + d,
\qquad 0 \le a, b, c, d \le 255.$$

So `202.116.0.1` is $202\cdot 16777216 + 116\cdot 65536 + 0 + 1 = 3396599809$, and in
binary `11001010.01110100.00000000.00000001`. Going back, octet $k$ (from the left,
$k = 0..3$) is $\lfloor n / 2^{8(3-k)} \rfloor \bmod 256$, i.e. `(n >> 8*(3-k)) & 0xFF`.

Be strict when reading the text form. Python's `int()` accepts `" 7"`, `"+7"`, `"0_7"`
and Arabic-Indic `"٧"`; `str.isdigit()` says yes to fullwidth `"７"`; some C
libraries read `"010"` as octal 8. A parser for addresses accepts only ASCII digits,
no leading zeros, exactly four octets.

**A correction to the source article.** It says that an IP address uniquely
identifies a computer. It does not, for three reasons:

- Addresses belong to **interfaces**, not computers. A router has one address per
  interface (R2 in section 7 has three), a laptop has one for Wi-Fi and another for
  Ethernet, and one interface can carry several addresses.
- **Private addresses are reused** in millions of separate networks at once
  (section 6), and **NAT** lets a whole home or company share one public address:
  from outside, many computers look like one.
- With **anycast**, many servers in different places announce the same address on
  purpose (the large public DNS resolvers do), and routing delivers each packet to
  the nearest one.

What holds is narrower: within one network, at one moment, an ordinary (unicast)
address names one interface, and two interfaces that share it break each other's
traffic.
"""


def ip_to_int(text):
    octets = text.split(".")
    if len(octets) != 4 or any(
        not o or len(o) > 3 or any(ch not in "0123456789" for ch in o) or (o[0] == "0" and o != "0")
        or int(o) > 255 for o in octets
    ):
        raise ValueError(f"not a dotted quad: {text!r}")
    return (int(octets[0]) << 24) | (int(octets[1]) << 16) | (int(octets[2]) << 8) | int(octets[3])


def int_to_ip(n):
    return ".".join(str((n >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def to_binary(text):
    return ".".join(format(int(o), "08b") for o in text.split("."))


print(ip_to_int("202.116.0.1"), to_binary("202.116.0.1"), int_to_ip(3396599809))
for bad in ("1.2.3.04", " 1.2.3.4", "1.2.3.٤", "1.2.3.4.", "256.1.1.1"):
    try:
        ip_to_int(bad)
    except ValueError as exc:
        print("rejected:", exc)

r"""
## 3. Classful addressing, and what to correct in the usual tables

Until 1993 an address's leading bits decided how much of it named the network:

| class | leading bits | first octet | network / host bits | default mask |
| --- | --- | --- | --- | --- |
| A | `0` | 0-127 | 8 / 24 | 255.0.0.0 |
| B | `10` | 128-191 | 16 / 16 | 255.255.0.0 |
| C | `110` | 192-223 | 24 / 8 | 255.255.255.0 |
| D | `1110` | 224-239 | (none) | multicast groups |
| E | `1111` | 240-255 | (none) | reserved |

Tables copied from old articles get several things wrong:

- **Class A runs to 127, not 126.** The class is decided by the leading bit, and
  $127 = 01111111_2$ starts with 0. The 127.0.0.0/8 block is *reserved for loopback*
  (`127.0.0.1` is "this host"), and 0.0.0.0/8 means "this network"; both are class A
  by the rule, and neither is assigned to a network on the Internet.
- **Class D is multicast, not broadcast.** A multicast address names a group of
  receivers that chose to join it (224.0.0.251 is mDNS). Broadcast is something else:
  the *limited broadcast* 255.255.255.255 (every host on this link) or the
  *directed broadcast* of a subnet, its address with all host bits set.
- **Class E** (240.0.0.0/4) is reserved; 255.255.255.255 falls in its range but is the
  limited broadcast address.
- **Classes are obsolete.** Class A handed out 16 million addresses per network and
  class C only 254: most organisations needed something in between and got a class B,
  which exhausted the space. CIDR (1993, now RFC 4632) dropped classes: the network
  part can be any length $p$, written `/p`.
"""


def ip_class(text):
    first = ip_to_int(text) >> 24
    return "A" if first < 128 else "B" if first < 192 else "C" if first < 224 else \
        "D" if first < 240 else "E"


print({a: ip_class(a) for a in ("10.0.0.1", "127.0.0.1", "172.16.0.1", "192.168.1.1",
                                 "224.0.0.251", "255.255.255.255")})

r"""
## 4. CIDR prefixes and masks

A prefix length $p$ says the first $p$ bits are the network. As a number, the mask
is $p$ ones then $32 - p$ zeros:

$$m_p = \underbrace{2^{32} - 1}_{\text{all ones}} - \underbrace{(2^{32-p} - 1)}_{\text{host bits}},
\qquad \text{wildcard} = 2^{32-p} - 1 = \lnot m_p.$$

`/20` is `255.255.240.0` (wildcard `0.0.15.255`). For an address $a$:

$$\text{network} = a \wedge m_p, \qquad \text{broadcast} = a \vee \lnot m_p,$$

two addresses $a, b$ are on the same subnet iff $a \wedge m_p = b \wedge m_p$, and
the subnet has $2^{32-p}$ addresses. The first (all host bits 0) names the network
and the last (all host bits 1) is its broadcast, so a LAN has $2^{32-p} - 2$ usable
hosts for $p \le 30$. Two exceptions: on a **/31** point-to-point link both
addresses are hosts (RFC 3021: a link with two ends needs no broadcast), and a
**/32** is a single host.

A mask must be contiguous. `255.0.255.0` has sixteen ones, but it is not a mask:
counting ones to get $p$ is a classic bug. A test that works: with $h = \lnot m$
the host part, $m$ is contiguous iff $h \wedge (h + 1) = 0$ ($h$ is $0\dots01\dots1$).
"""


def mask(p):
    return (2**32 - 1) ^ (2 ** (32 - p) - 1)


def describe(text, p):
    a = ip_to_int(text)
    net, bcast = a & mask(p), a | (mask(p) ^ (2**32 - 1))
    hosts = {32: 1, 31: 2}.get(p, 2 ** (32 - p) - 2)
    return int_to_ip(net), int_to_ip(bcast), hosts


for p in (20, 26, 30, 31, 32):
    print(f"172.16.5.4/{p}: mask {int_to_ip(mask(p))}, network/broadcast/hosts {describe('172.16.5.4', p)}")
host_bits = 0xFFFFFFFF ^ ip_to_int("255.0.255.0")
print("255.0.255.0 contiguous?", host_bits & (host_bits + 1) == 0)

r"""
## 5. Subnetting, VLSM and summarisation

**Fixed-length subnetting.** Borrowing $k$ host bits cuts a /p into $2^k$ subnets
of prefix $p + k$, each of $2^{32-p-k}$ addresses. To get at least $n$ subnets take
the smallest $k$ with $2^k \ge n$, i.e. $k = \lceil \log_2 n \rceil$; to give each
at least $h$ hosts take the largest prefix $q \le 30$ with $2^{32-q} - 2 \ge h$.
Subnet zero and the all-ones subnet are usable (an old rule from RFC 950 forbade
them; RFC 1878 and every modern router allow them).

**VLSM** gives each group the block it needs instead of one size for all. Sorting
the requests from largest to smallest keeps every block aligned without gaps: blocks
are powers of two, and after placing larger blocks the next free address is a
multiple of every smaller size. The figure below splits 192.168.1.0/24 for 100,
50, 20 and 2 hosts into a /25, a /26, a /27 and a /30.
"""

requests = {"LAN A (100 hosts)": 100, "LAN B (50)": 50, "LAN C (20)": 20, "link (2)": 2}
base, free, blocks = ip_to_int("192.168.1.0"), 0, []
for name, hosts in sorted(requests.items(), key=lambda kv: -kv[1]):
    q = max(q for q in range(31) if 2 ** (32 - q) - 2 >= hosts)
    size = 2 ** (32 - q)
    blocks.append((name, free, size, q))
    print(f"{name:18s} -> {int_to_ip(base + free)}/{q}  ({size} addresses, {size - 2} hosts)")
    free += size

fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 3.2), sharex=True)
for i in range(4):  # fixed-length: four /26s
    top.barh(0, 64, left=64 * i, color=f"C{i}", edgecolor="black")
    top.text(64 * i + 32, 0, f".{64 * i}/26\n62 hosts", ha="center", va="center", fontsize=8)
top.set_title("192.168.1.0/24 split into four /26 (fixed length)", fontsize=10)
for i, (name, start, size, q) in enumerate(blocks):  # VLSM
    bottom.barh(0, size, left=start, color=f"C{i + 4}", edgecolor="black")
    if size >= 32:
        bottom.text(start + size / 2, 0, f".{start}/{q}\n{name}", ha="center", va="center", fontsize=8)
bottom.annotate(f"{blocks[-1][0]}: .{blocks[-1][1]}/30", (blocks[-1][1] + 2, 0.4),
                (200, 0.9), fontsize=8, arrowprops={"arrowstyle": "->"})
bottom.barh(0, 256 - free, left=free, color="white", edgecolor="black", hatch="//")
bottom.set_title("the same /24 by VLSM (largest first), the hatched range still free", fontsize=10)
for ax in (top, bottom):
    ax.set_yticks([])
    ax.set_xlim(0, 256)
bottom.set_xlabel("last octet of the address")
fig.tight_layout()
fig.savefig(FIGURES / "subnet_split.png", dpi=120)
plt.close(fig)

r"""
**Summarisation** (supernetting) goes the other way: a router advertises the fewest
prefixes that cover *exactly* its networks. Two blocks merge only when they are the
two halves of one larger block: equal size $2^s$, adjacent, and the lower one aligned
to $2^{s+1}$. So 10.0.0.0/24 + 10.0.1.0/24 = 10.0.0.0/23, but 10.0.1.0/24 + 10.0.2.0/24
stay two routes; writing them as 10.0.0.0/22 would claim 10.0.0.0/24 and
10.0.3.0/24 too, and attract traffic for addresses the router does not have.

## 6. Special-purpose blocks (RFC 6890)

Some blocks are not for ordinary hosts on the public Internet. RFC 6890 keeps the
registry; the ones you meet most are:

| block | purpose |
| --- | --- |
| 0.0.0.0/8 | "this host on this network" (0.0.0.0 as a source before an address is known) |
| 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 | private use (RFC 1918): routed within private networks only |
| 100.64.0.0/10 | shared address space for carrier-grade NAT |
| 127.0.0.0/8 | loopback |
| 169.254.0.0/16 | link-local (self-assigned when DHCP fails) |
| 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 | documentation examples |
| 198.18.0.0/15 | benchmarking |
| 240.0.0.0/4 | reserved (old class E) |
| 255.255.255.255/32 | limited broadcast |

Private addresses are not "reachable only behind NAT", as is often said: inside a
company or campus they are routed like any others, across many subnets and routers
(the example network of section 7 is private from end to end). What they never get
is a route on the public Internet, since every private network reuses them; a host
with a private address reaches the Internet through NAT, which swaps its address for
a public one. Note 172.16.0.0/12 ends at 172.31.255.255: 172.32.0.1 is an ordinary
address.
(Python's `ipaddress.is_private` has changed its answers between releases; a fixed
table is the dependable reference.)

## 7. How any two computers reach each other

A host holding address $a/p$ that wants to send to $d$ asks one question
(RFC 1122, 3.3.1.1): *is $d$ on my own subnet*, i.e. $d \wedge m_p = a \wedge m_p$?

- **Yes: deliver directly.** IP needs the receiver's link-layer (MAC) address;
  ARP broadcasts "who has $d$?" on the link and the owner answers.
- **No: send to the default gateway**, a router on the same subnet (its MAC found by
  ARP too). The IP destination stays $d$; only the link-layer destination changes.

Each router repeats the decision with a **routing table** of (prefix, next hop)
entries. Several prefixes may contain $d$ (a /24 inside a /16 inside the default
route 0.0.0.0/0); the router takes the **longest prefix match**, the most specific
route, because it carries the most information about where $d$ lives. Compare bits,
not text: 10.10.1.1 starts with the characters "10.1" but is not in 10.1.0.0/16.

Every IP packet carries a **TTL** (time to live). Each router decrements it before
forwarding and discards the packet when it reaches 0, answering with an ICMP "time
exceeded" message. This stops packets from circling forever in a routing loop, and
it is how `traceroute` maps a path: it sends probes with TTL 1, 2, 3, ... and each
router along the way reveals itself by the "time exceeded" it returns.
"""

ROUTERS = {
    "R1": {"interfaces": ["192.168.1.1/24", "10.0.12.1/30"], "routes": [("0.0.0.0/0", "10.0.12.2")]},
    "R2": {"interfaces": ["10.0.12.2/30", "10.0.23.1/30", "10.0.24.1/30"],
           "routes": [("192.168.1.0/24", "10.0.12.1"), ("192.168.3.0/24", "10.0.23.2"),
                      ("192.168.3.128/25", "10.0.24.2")]},
    "R3": {"interfaces": ["10.0.23.2/30", "192.168.3.1/25"], "routes": [("0.0.0.0/0", "10.0.23.1")]},
    "R4": {"interfaces": ["10.0.24.2/30", "192.168.3.129/25"], "routes": [("0.0.0.0/0", "10.0.24.1")]},
}


def on_subnet(cidr, d):
    address, p = cidr.split("/")
    return (ip_to_int(address) ^ ip_to_int(d)) & mask(int(p)) == 0


def longest_prefix_match(table, d):
    matches = [(int(c.split("/")[1]), hop) for c, hop in table if on_subnet(c, d)]
    return max(matches, key=lambda m: m[0])[1] if matches else None


def trace(routers, start, d, ttl=64):
    owner = {i.split("/")[0]: name for name, r in routers.items() for i in r["interfaces"]}
    path, here = [], start
    while True:
        path.append(here)
        ttl -= 1
        if ttl == 0:
            return path + ["ttl-exceeded"]
        if any(on_subnet(i, d) for i in routers[here]["interfaces"]):
            return path + ["delivered"]
        hop = longest_prefix_match(routers[here]["routes"], d)
        if hop is None or hop not in owner:
            return path + ["unreachable"]
        here = owner[hop]


print("host 192.168.1.10/24 to 192.168.1.77:", "direct" if on_subnet("192.168.1.10/24", "192.168.1.77")
      else "gateway")
for ttl in (1, 2, 3, 64):
    print(f"ttl={ttl}:", trace(ROUTERS, "R1", "192.168.3.200", ttl))
print("to 8.8.8.8:", trace(ROUTERS, "R1", "8.8.8.8"))

r"""
The last trace ends "unreachable" at R2: R1 forwards by its default route, R2 has no
route that contains 8.8.8.8. The figure draws the topology and the route the packet
for 192.168.3.200 takes: R2 holds both 192.168.3.0/24 (via R3) and
192.168.3.128/25 (via R4), and the longer prefix wins. Grey labels name each link's
subnet (a /30 between two routers: two addresses, one for each end), red ones the
TTL the packet carries on each hop: it leaves the source with 64 and, after three
routers, arrives with 61.
"""

positions = {"H": (0, 0), "R1": (1.5, 0), "R2": (3, 0), "R3": (4.5, 0.9), "R4": (4.5, -0.9),
             "LAN3a": (6, 0.9), "LAN3b": (6, -0.9)}
hosts = {"H": "source host\n192.168.1.10/24", "LAN3a": "hosts of\n192.168.3.0/25",
         "LAN3b": "destination host\n192.168.3.200"}
interface_of = {("H", "R1"): "192.168.1.1/24", ("R3", "LAN3a"): "192.168.3.1/25",
                ("R4", "LAN3b"): "192.168.3.129/25"}  # the router's address on a LAN
links = [("H", "R1"), ("R1", "R2"), ("R2", "R3"), ("R2", "R4"), ("R3", "LAN3a"), ("R4", "LAN3b")]
path = ["H"] + trace(ROUTERS, "R1", "192.168.3.200")[:-1] + ["LAN3b"]  # H, R1, R2, R4, LAN3b
taken = list(zip(path, path[1:]))


def subnet_of(a, b):
    """The subnet of the link a-b, from the addresses the two ends have on it."""
    if (a, b) in interface_of:
        cidr = interface_of[a, b]
    else:
        shared = [i for i in ROUTERS[a]["interfaces"] for j in ROUTERS[b]["interfaces"]
                  if i.split("/")[1] == j.split("/")[1] and on_subnet(i, j.split("/")[0])]
        cidr = shared[0]
    address, prefix = cidr.split("/")
    return f"{int_to_ip(ip_to_int(address) & mask(int(prefix)))}/{prefix}"


fig, ax = plt.subplots(figsize=(10, 4.2))
for a, b in links:
    (x1, y1), (x2, y2) = positions[a], positions[b]
    on_path = (a, b) in taken
    ax.annotate("", (x2, y2), (x1, y1), arrowprops={
        "arrowstyle": "-|>" if on_path else "-", "color": "C3" if on_path else "grey",
        "lw": 2.2 if on_path else 1.5, "shrinkA": 17, "shrinkB": 17, "mutation_scale": 16}, zorder=1)
    angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
    length = math.hypot(x2 - x1, y2 - y1)
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length  # unit normal of the link
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    ax.text(mx + 0.13 * nx, my + 0.13 * ny, subnet_of(a, b), ha="center", va="center", rotation=angle,
            rotation_mode="anchor", fontsize=7.5, color="dimgrey")
    if on_path:  # the TTL the packet carries on this link
        ttl = 64 - taken.index((a, b))
        ax.text(mx - 0.15 * nx, my - 0.15 * ny, f"TTL {ttl}", ha="center", va="center", rotation=angle,
                rotation_mode="anchor", fontsize=8, color="C3", fontweight="bold")
for name, (x, y) in positions.items():
    if name in ROUTERS:
        ax.scatter([x], [y], s=800, marker="o", color="C0", zorder=2)
        ax.text(x, y, name, ha="center", va="center", fontsize=9, color="white", zorder=3)
    else:
        ax.scatter([x], [y], s=450, marker="s", color="C2", zorder=2)
        ax.text(x, y - 0.3, hosts[name], ha="center", va="top", fontsize=8)
ax.text(3, -1.3, "R2's table: 192.168.3.0/24 via R3\nand 192.168.3.128/25 via R4:\n"
        "the longer prefix (/25) wins", ha="center", fontsize=8,
        bbox={"boxstyle": "round", "fc": "white", "ec": "lightgrey"})
ax.text(1.5, -0.55, "R1: default route\n0.0.0.0/0 via R2", ha="center", fontsize=8)
ax.set_title("A packet from 192.168.1.10 to 192.168.3.200: link subnets in grey, "
             "and the TTL it carries on each hop (each router subtracts 1)", fontsize=9)
ax.set_xlim(-0.6, 6.7)
ax.set_ylim(-1.75, 1.45)
ax.set_aspect("equal")
ax.axis("off")
fig.tight_layout()
fig.savefig(FIGURES / "packet_route.png", dpi=120)
plt.close(fig)

r"""
## 8. The IPv4 header, its checksum, traceroute and NAT

Addresses travel in the **header** that starts every IPv4 packet. RFC 791 draws it
in rows of 32 bits, most significant bit first; on the wire every multi-byte field
is big-endian ("network byte order"):

| field | bits | meaning |
| --- | --- | --- |
| Version | 4 | 4 |
| IHL | 4 | header length in 32-bit words: 5 (20 bytes) to 15 (60 bytes) |
| DSCP, ECN | 6 + 2 | once "type of service": a priority class and a congestion signal |
| Total Length | 16 | header plus data, in bytes (at most 65,535) |
| Identification | 16 | the same in every fragment of one datagram |
| Flags | 3 | reserved (always 0), DF (don't fragment), MF (more fragments) |
| Fragment Offset | 13 | where this fragment's data belongs, in units of 8 bytes |
| Time to Live | 8 | hops left |
| Protocol | 8 | what the data is: 1 ICMP, 6 TCP, 17 UDP |
| Header Checksum | 16 | the Internet checksum of the header alone |
| Source, Destination | 32 each | the two addresses |
| Options | 0 to 40 bytes | rare (record route, timestamps), padded to whole 32-bit words |

Python's `struct` module reads such a record in one call: `"!BBHHHBBH4s4s"` says
network order (`!`), then bytes (`B`), 16-bit words (`H`) and 4-byte strings, in the
order of the diagram.

**Fragments.** A link carries packets up to its MTU (1,500 bytes on Ethernet). A
router that must send a bigger datagram over a smaller MTU cuts its data into
fragments, each behind a copy of the header with the same identification, MF set on
every fragment but the last, and the offset of its piece; only the destination puts
them back together. The offset counts 8-byte units because 13 bits must reach the
end of a 65,535-byte datagram ($2^{13} \cdot 8 = 65{,}536$), so every fragment but the
last carries a multiple of 8 data bytes. A 4,000-byte datagram (20 bytes of header,
3,980 of data) crossing a 1,500-byte MTU leaves as three fragments carrying 1,480,
1,480 and 1,020 data bytes, with offset fields 0, 185 and 370 (bytes 0, 1,480 and
2,960). With DF set the router drops the datagram instead and tells the sender,
by ICMP, that it was too big: that is how path MTU discovery finds the largest size
that gets through.
"""

FIELDS = [  # (row, first bit, width, name) as in RFC 791's diagram
    (0, 0, 4, "Version"), (0, 4, 4, "IHL"), (0, 8, 8, "DSCP | ECN"), (0, 16, 16, "Total Length"),
    (1, 0, 16, "Identification"), (1, 16, 3, "Flags"), (1, 19, 13, "Fragment Offset"),
    (2, 0, 8, "Time to Live"), (2, 8, 8, "Protocol"), (2, 16, 16, "Header Checksum"),
    (3, 0, 32, "Source Address"), (4, 0, 32, "Destination Address"),
    (5, 0, 32, "Options (0 to 40 bytes, padded to 32-bit words)"),
]
fig, ax = plt.subplots(figsize=(10, 3.8))
for row, start, width, name in FIELDS:
    colour = "C1" if name in ("Time to Live", "Header Checksum") else "C0"
    ax.add_patch(plt.Rectangle((start, -row - 1), width, 1, facecolor=colour,
                               alpha=0.12 if row < 5 else 0.04, edgecolor="black",
                               linestyle="-" if row < 5 else "--"))
    ax.text(start + width / 2, -row - 0.5, name, ha="center", va="center", fontsize=9)
for bit in range(32):
    ax.text(bit + 0.5, 0.25, str(bit % 10), ha="center", va="center", fontsize=6.5, color="dimgrey")
for tens in (0, 1, 2, 3):
    ax.text(10 * tens + 0.5, 0.75, str(tens), ha="center", va="center", fontsize=7, color="dimgrey")
for row in range(5):
    ax.text(-0.4, -row - 0.5, f"bytes {4 * row}-{4 * row + 3}", ha="right", va="center", fontsize=8)
ax.text(16, -6.55, "DF and MF are bits 1 and 2 of Flags; the Fragment Offset counts 8-byte units; "
        "a router rewrites the orange fields at every hop", ha="center", fontsize=8.5)
ax.set_xlim(-5, 32.2)
ax.set_ylim(-6.9, 1.1)
ax.axis("off")
ax.set_title("The IPv4 header (RFC 791): 32 bits a row, 20 bytes without options", fontsize=10)
fig.tight_layout()
fig.savefig(FIGURES / "ipv4_header.png", dpi=120)
plt.close(fig)

r"""
**The Internet checksum** (RFC 1071) adds the header as 16-bit words in
*one's-complement* arithmetic: a carry out of the top bit is added back in at the
bottom (the "end-around carry"),

$$a \oplus b = (a + b) \bmod 2^{16} + \lfloor (a + b) / 2^{16} \rfloor,$$

and the checksum is the complement (all bits flipped) of the sum of every word, the
checksum field counted as 0. Adding many words at once and folding afterwards gives
the same result, but the fold must be repeated: `0x2fffe` folds to `0xfffe + 0x2 =
0x10000`, which folds again to `0x0001`. An odd number of bytes is summed as if one
zero byte followed. The receiver adds *every* word, checksum included: if nothing
changed the sum is `0xffff` (one's-complement "minus zero", since the checksum is
the complement of the rest), and its complement, the checksum of the whole header,
is 0. Folding is arithmetic modulo `0xffff` ($2^{16} \equiv 1$), with one twist that
a plain `% 0xffff` gets wrong: a non-zero multiple of `0xffff` folds to `0xffff`, not
0, and that is exactly the value a correct header sums to.

Why this odd sum? It is cheap, it is the same whatever a machine's byte order (swap
the bytes of every word and the sum comes out swapped), and it can be *updated* when
one field changes without summing the header again (RFC 1624). It guards the header
only: TCP and UDP have checksums of their own over the data. IPv6 dropped the header
checksum altogether, which also spares every router the work.
"""


def checksum(data):
    data = bytes(data) + b"\x00" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_header(src, dst, ttl=64, protocol=17, total_length=20, identification=0, flags_offset=0):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total_length, identification, flags_offset, ttl,
                         protocol, 0, ip_to_int(src).to_bytes(4, "big"), ip_to_int(dst).to_bytes(4, "big"))
    return header[:10] + checksum(header).to_bytes(2, "big") + header[12:]


header = ipv4_header("192.168.0.1", "192.168.0.199", total_length=115, flags_offset=0x4000)
print("header:  ", header.hex(" ", 2))
print(f"checksum field {header[10:12].hex()}, checksum of the whole header {checksum(header):#06x}")
print(f"carries folded twice: {checksum(bytes.fromhex('ffffffffffff0001')):#06x}")
for offset_field in (0, 185, 370):  # the three fragments of the 4,000-byte datagram above
    more = 0x2000 if offset_field < 370 else 0
    print(f"fragment: MF={more >> 13}, offset field {offset_field} = byte {8 * offset_field}")

r"""
**TTL, ICMP Time Exceeded and traceroute.** A router that forwards a packet first
decrements its TTL. Because the header changed, it must also fix the checksum: RFC
1624 updates it from the old checksum $HC$ and the old and new values $m, m'$ of the
changed word alone, $HC' = \lnot(\lnot HC \oplus \lnot m \oplus m')$. When the TTL
reaches 0 the router drops the packet and sends the source an ICMP **Time Exceeded**
message (type 11, code 0) from one of its own addresses (usually that of the
interface the packet came in by), quoting the dropped packet's header and at least
the first 8 bytes of its data.

`traceroute` turns this into a map. It sends probes with TTL 1, 2, 3, ...: the probe
with TTL $k$ dies at the $k$-th router, whose Time Exceeded names it and times the
round trip. The classic Unix tool sends UDP probes to unlikely high ports (33434 and
up), so the destination itself answers ICMP **Port Unreachable** (type 3, code 3):
that is how it knows it has arrived. Windows' `tracert` sends ICMP Echo Requests and
stops at the Echo Reply. The quoted 8 bytes (the probe's UDP ports, or its ICMP
sequence number) tell the tool which probe an answer belongs to. Read the output
with care: a router may stay silent (rate limits, filters: a row of `* * *`), and
with load balancing, probes of one run can take different paths (Paris traceroute
keeps the fields that choose the path fixed).
"""


def decrement_ttl(header):
    """A router's work on a header: TTL - 1, checksum updated as in RFC 1624, eqn. 3."""
    old_word = int.from_bytes(header[8:10], "big")  # TTL and protocol share a 16-bit word
    new_word = old_word - 0x0100
    total = (~int.from_bytes(header[10:12], "big") & 0xFFFF) + (~old_word & 0xFFFF) + new_word
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return header[:8] + new_word.to_bytes(2, "big") + (~total & 0xFFFF).to_bytes(2, "big") + header[12:]


hop = ipv4_header("192.168.1.10", "192.168.3.200", ttl=64)
for router in ("R1", "R2", "R4"):  # the path of section 7's packet
    hop = decrement_ttl(hop)
    recomputed = checksum(hop[:10] + b"\x00\x00" + hop[12:])
    print(f"after {router}: TTL {hop[8]}, checksum {hop[10:12].hex()} (summed again: {recomputed:04x}),"
          f" whole header checks to {checksum(hop)}")
print("probes from 192.168.1.10:")
for ttl in (1, 2, 3, 4):
    path = trace(ROUTERS, "R1", "192.168.3.200", ttl)
    print(f"  TTL {ttl}: {' -> '.join(path[:-1])}: {path[-1]}")

r"""
The sequence diagram below is that run: time flows down, each probe goes one router
further than the last, and each answer comes back from the router where its TTL ran
out, named here by the address of the interface the probe arrived on.
"""


def arrival_address(router, previous):
    """The address of `router` on the link it shares with `previous` (a router or a host)."""
    if previous not in ROUTERS:  # the source host: R1's LAN interface
        return ROUTERS[router]["interfaces"][0].split("/")[0]
    for mine in ROUTERS[router]["interfaces"]:
        for theirs in ROUTERS[previous]["interfaces"]:
            if on_subnet(mine, theirs.split("/")[0]) and mine.split("/")[1] == theirs.split("/")[1]:
                return mine.split("/")[0]
    raise LookupError((router, previous))


lanes = ["source\n192.168.1.10", "R1", "R2", "R4", "destination\n192.168.3.200"]
x_of = {name.split("\n")[0]: i for i, name in enumerate(lanes)}
fig, ax = plt.subplots(figsize=(9.5, 4.9))
for i, name in enumerate(lanes):
    ax.plot([i, i], [0.3, -7.9], color="lightgrey", lw=1.2, zorder=0)
    ax.text(i, 0.55, name, ha="center", va="bottom", fontsize=9, fontweight="bold")
y = 0.0
for ttl in (1, 2, 3, 4):
    path = trace(ROUTERS, "R1", "192.168.3.200", ttl)
    hops, outcome = ["source"] + path[:-1], path[-1]
    end = "destination" if outcome == "delivered" else hops[-1]
    y -= 0.5
    ax.annotate("", (x_of[end], y - 0.35), (0, y), arrowprops={"arrowstyle": "-|>", "color": "C0"})
    ax.text(0.08, y + 0.05, f"probe, TTL {ttl}", fontsize=8, color="C0", va="bottom")
    y -= 0.85
    if outcome == "delivered":
        reply, colour = "Port Unreachable from 192.168.3.200: arrived", "C2"
    else:
        previous = hops[-2]
        reply, colour = f"Time Exceeded from {arrival_address(end, previous)}", "C3"
    ax.annotate("", (0, y - 0.35), (x_of[end], y), arrowprops={"arrowstyle": "-|>", "color": colour,
                                                              "linestyle": "--"})
    ax.text(x_of[end] - 0.08, y + 0.05, reply, fontsize=8, color=colour, ha="right", va="bottom")
    y -= 0.5
ax.set_xlim(-0.6, len(lanes) - 0.4)
ax.set_ylim(-8.1, 1.2)
ax.axis("off")
ax.set_title("traceroute 192.168.3.200 over the network of section 7: one probe per TTL", fontsize=10)
fig.tight_layout()
fig.savefig(FIGURES / "traceroute.png", dpi=120)
plt.close(fig)

r"""
**NAT.** A home network numbers its hosts from a private block (section 6), which is
never routed on the Internet, and shares one public address that its router holds.
For each outgoing packet, the router's network address translation (NAPT, RFC 3022)
replaces the private source address, and usually the source port, with its own, and
writes the pair in a table; when a reply arrives for that public port, it looks the
pair up and rewrites the destination back. Every rewrite changes the header, so the
IP checksum must be fixed, and so must the TCP or UDP checksum, which also covers the
two addresses. The table is why a host behind NAT can call out but cannot be called:
an unsolicited packet matches no entry, unless the owner configures one (port
forwarding). It is also why one public address can stand for a whole household, and
why an ISP short of addresses may add a second layer of NAT in 100.64.0.0/10
("carrier-grade NAT").
"""

PUBLIC = "203.0.113.7"
nat_table, next_port = {}, 40000
for packet_id, (src, port) in enumerate((("192.168.1.10", 5353), ("192.168.1.11", 5353),
                                         ("192.168.1.10", 5353))):
    if (src, port) not in nat_table:  # a new flow: give it a public port of its own
        nat_table[src, port] = next_port
        next_port += 1
    inside = ipv4_header(src, "198.51.100.20", identification=packet_id)
    outside = inside[:10] + b"\x00\x00" + ip_to_int(PUBLIC).to_bytes(4, "big") + inside[16:]
    outside = outside[:10] + checksum(outside).to_bytes(2, "big") + outside[12:]
    print(f"{src}:{port} -> {PUBLIC}:{nat_table[src, port]}, checksum {inside[10:12].hex()} -> "
          f"{outside[10:12].hex()}, whole header checks to {checksum(outside)}")

r"""
## Summary

- An IPv4 address is a 32-bit number; dotted decimal is only its spelling, and a
  strict parser refuses anything but four ASCII-decimal octets without leading zeros.
- Classes (A 0-127, B, C, D multicast, E reserved) are history; CIDR prefixes
  replaced them in 1993. 127/8 is class A and loopback; class D is not broadcast.
- Network $= a \wedge m$, broadcast $= a \vee \lnot m$, $2^{32-p} - 2$ hosts for
  $p \le 30$, 2 for a /31, 1 for a /32.
- VLSM: largest request first, tightest block, lowest aligned free address.
  Summaries must cover exactly the original addresses.
- A host delivers on-link by ARP, otherwise to its gateway; routers forward by the
  longest prefix match; the TTL ends loops and powers traceroute.
- The IPv4 header is 20 to 60 bytes in network byte order; its checksum is the
  complement of a one's-complement sum (fold the carries until none is left), and a
  header carrying a correct one checks to 0. Fragment offsets count 8-byte units.
- A router decrements the TTL and fixes the checksum; at 0 it answers ICMP Time
  Exceeded, which traceroute collects hop by hop. NAT rewrites addresses and ports
  and keeps a table to translate the replies back.
"""
