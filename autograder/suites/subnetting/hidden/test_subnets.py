"""Hidden tests: masks, CIDR strings and the addresses of one subnet."""

import ipaddress

from hypothesis import assume, given
from hypothesis import strategies as st

from autograder.checks import expect_raises_value_error
from autograder.marks import graded
from autograder.suites.subnetting.support import (
    ALL_ONES,
    addresses,
    expect,
    network,
    oracle_settings,
    prefixes,
    quad,
    usable,
)

ALL_PREFIXES = range(33)


def _netmask(p):
    return str(ipaddress.IPv4Network(f"0.0.0.0/{p}").netmask)


def _hostmask(p):
    return str(ipaddress.IPv4Network(f"0.0.0.0/{p}").hostmask)


# ---------------------------------------------------------------- masks


@graded(points=2, task="prefix_to_mask")
def test_prefix_to_mask_all_prefixes(sub):
    """Does prefix_to_mask(p) equal ipaddress's netmask for every p from 0 to 32?"""
    for p in ALL_PREFIXES:
        expect(sub.prefix_to_mask(p), _netmask(p), f"prefix_to_mask({p})",
               "p ones followed by 32 - p zeros; check /0 and /32")


@graded(points=1, task="prefix_to_mask")
def test_prefix_to_mask_out_of_range(sub):
    """Do p = -1 and p = 33 raise ValueError naming `p`?"""
    for p in (-1, 33, 64):
        expect_raises_value_error(sub.prefix_to_mask, p, argument="p")


@graded(points=2, task="mask_to_prefix")
def test_mask_to_prefix_all_masks(sub):
    """Does mask_to_prefix invert ipaddress's netmask for every prefix from 0 to 32?"""
    for p in ALL_PREFIXES:
        expect(sub.mask_to_prefix(_netmask(p)), p, f"mask_to_prefix({_netmask(p)!r})")


@graded(points=2, task="mask_to_prefix")
@oracle_settings(120)
@given(n=addresses)
def test_mask_to_prefix_rejects_non_contiguous(sub, n):
    """Does a mask whose ones are not all in front raise ValueError naming `mask`?"""
    host_bits = ALL_ONES ^ n
    assume(host_bits & (host_bits + 1))  # not ones-then-zeros
    expect_raises_value_error(sub.mask_to_prefix, quad(n), argument="mask")


@graded(points=1, task="mask_to_prefix")
def test_mask_to_prefix_rejects_classic_bad_masks(sub):
    """Do 255.0.255.0, 0.255.255.255, 255.255.255.253 and malformed masks raise ValueError?"""
    for mask in ("255.0.255.0", "0.255.255.255", "255.255.255.253", "255.255.254.255",
                 "128.0.0.1", "255.255.255.0 ", "255.255.0", "255.255.255.00"):
        expect_raises_value_error(sub.mask_to_prefix, mask, argument="mask")


@graded(points=2, task="wildcard_mask")
def test_wildcard_mask_all_prefixes(sub):
    """Does wildcard_mask(p) equal ipaddress's hostmask for every p from 0 to 32?"""
    for p in ALL_PREFIXES:
        expect(sub.wildcard_mask(p), _hostmask(p), f"wildcard_mask({p})")


@graded(points=1, task="wildcard_mask")
def test_wildcard_mask_out_of_range(sub):
    """Do p = -1 and p = 33 raise ValueError naming `p`?"""
    for p in (-1, 33):
        expect_raises_value_error(sub.wildcard_mask, p, argument="p")


# ---------------------------------------------------------------- CIDR strings


@graded(points=2, task="parse_cidr")
@oracle_settings(100)
@given(n=addresses, p=prefixes)
def test_parse_cidr_matches_ipaddress(sub, n, p):
    """Does parse_cidr return (address as int, prefix) as ipaddress.IPv4Interface reads them?"""
    text = f"{quad(n)}/{p}"
    iface = ipaddress.IPv4Interface(text)
    expect(sub.parse_cidr(text), (int(iface.ip), iface.network.prefixlen), f"parse_cidr({text!r})",
           "keep the host bits: parse_cidr reads, it does not round down")


@graded(points=2, task="parse_cidr")
def test_parse_cidr_is_strict(sub):
    """Do '/024', '/33', hostmasks, spaces and missing parts raise ValueError naming `cidr`?"""
    for text in ("10.0.0.0/024", "10.0.0.0/033", "10.0.0.0/00", "10.0.0.0/33", "10.0.0.0/-1",
                 "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0 /8", "10.0.0.0/8 ", "10.0.0.0/255.0.0.0",
                 "10.0.0.0/0.255.255.255", "10.0.0.0", "10.0.0.0/", "/8", "10.0.0.0/8/8",
                 "10.0.0.00/8", "10.0.0.0/８", "10.0.0.0/1_6", "10.0.0.0/8\n"):
        expect_raises_value_error(sub.parse_cidr, text, argument="cidr")


# ---------------------------------------------------------------- one subnet


@graded(points=2, task="network_address")
@oracle_settings(120)
@given(n=addresses, p=prefixes)
def test_network_address_matches_ipaddress(sub, n, p):
    """Is the network address the address with its host bits cleared (ipaddress's network_address)?"""
    expect(sub.network_address(quad(n), p), str(network(n, p).network_address),
           f"network_address({quad(n)!r}, {p})")


@graded(points=1, task="network_address")
def test_network_address_edges(sub):
    """Are /0, /31 and /32 handled (0.0.0.0, the even address, the address itself)?"""
    for args, want in ((("255.255.255.255", 0), "0.0.0.0"), (("10.0.0.7", 31), "10.0.0.6"),
                       (("10.0.0.7", 32), "10.0.0.7"), (("127.0.0.1", 8), "127.0.0.0")):
        expect(sub.network_address(*args), want, f"network_address{args}")


@graded(points=2, task="broadcast_address")
@oracle_settings(120)
@given(n=addresses, p=prefixes)
def test_broadcast_address_matches_ipaddress(sub, n, p):
    """Is the broadcast address the address with its host bits set (ipaddress's broadcast_address)?"""
    expect(sub.broadcast_address(quad(n), p), str(network(n, p).broadcast_address),
           f"broadcast_address({quad(n)!r}, {p})")


@graded(points=1, task="broadcast_address")
def test_broadcast_address_edges(sub):
    """Are /0, /31 and /32 handled (255.255.255.255, the odd address, the address itself)?"""
    for args, want in ((("0.0.0.0", 0), "255.255.255.255"), (("10.0.0.6", 31), "10.0.0.7"),
                       (("10.0.0.6", 32), "10.0.0.6"), (("127.0.0.1", 8), "127.255.255.255")):
        expect(sub.broadcast_address(*args), want, f"broadcast_address{args}")


@graded(points=2, task="host_range")
@oracle_settings(120)
@given(n=addresses, p=st.integers(0, 30))
def test_host_range_up_to_slash_30(sub, n, p):
    """For p <= 30, is the range (network + 1, broadcast - 1)?"""
    net = network(n, p)
    want = (str(net.network_address + 1), str(net.broadcast_address - 1))
    expect(sub.host_range(quad(n), p), want, f"host_range({quad(n)!r}, {p})",
           "the network and broadcast addresses are not hosts")


@graded(points=1, task="host_range")
@oracle_settings(50)
@given(n=addresses)
def test_host_range_slash_31(sub, n):
    """Is a /31's range both of its addresses, as ipaddress's hosts() lists them (RFC 3021)?"""
    hosts = [str(h) for h in network(n, 31).hosts()]
    expect(sub.host_range(quad(n), 31), (hosts[0], hosts[-1]), f"host_range({quad(n)!r}, 31)",
           "a /31 point-to-point link has no network or broadcast address (RFC 3021)")


@graded(points=1, task="host_range")
@oracle_settings(50)
@given(n=addresses)
def test_host_range_slash_32(sub, n):
    """Is a /32's range the address itself, twice?"""
    hosts = [str(h) for h in network(n, 32).hosts()]
    expect(sub.host_range(quad(n), 32), (hosts[0], hosts[-1]), f"host_range({quad(n)!r}, 32)",
           "a /32 is one host")


@graded(points=2, task="usable_hosts")
def test_usable_hosts_all_prefixes(sub):
    """Is usable_hosts(p) ipaddress's address count minus 2 for p <= 30?"""
    for p in range(31):
        expect(sub.usable_hosts(p), usable(p), f"usable_hosts({p})",
               "2**(32 - p) addresses, less the network and broadcast addresses")


@graded(points=1, task="usable_hosts")
def test_usable_hosts_slash_31_and_32(sub):
    """Is a /31 worth 2 hosts (RFC 3021) and a /32 worth 1?"""
    expect(sub.usable_hosts(31), 2, "usable_hosts(31)", "RFC 3021: both addresses of a /31 are hosts")
    expect(sub.usable_hosts(32), 1, "usable_hosts(32)", "a /32 is a single host")


@graded(points=1, task="usable_hosts")
def test_usable_hosts_out_of_range(sub):
    """Do p = -1 and p = 33 raise ValueError naming `p`?"""
    for p in (-1, 33):
        expect_raises_value_error(sub.usable_hosts, p, argument="p")


@st.composite
def _pairs(draw):
    a, p = draw(addresses), draw(prefixes)
    near = draw(st.booleans())
    b = a ^ draw(st.integers(0, 2 ** (32 - p) - 1)) if near else draw(addresses)
    if draw(st.booleans()) and p > 0:  # flip exactly the last network bit
        b = a ^ (1 << (32 - p))
    return a, b, p


@graded(points=2, task="same_subnet")
@oracle_settings(120)
@given(case=_pairs())
def test_same_subnet_matches_ipaddress(sub, case):
    """Is same_subnet(a, b, p) True exactly when ipaddress puts b in a's /p network?"""
    a, b, p = case
    want = ipaddress.IPv4Address(b) in network(a, p)
    expect(sub.same_subnet(quad(a), quad(b), p), want, f"same_subnet({quad(a)!r}, {quad(b)!r}, {p})")


@graded(points=1, task="same_subnet")
def test_same_subnet_edges(sub):
    """Is everything in one /0, and only the address itself in its /32?"""
    for args, want in ((("0.0.0.0", "255.255.255.255", 0), True), (("10.0.0.1", "10.0.0.1", 32), True),
                       (("10.0.0.1", "10.0.0.0", 32), False), (("10.0.0.0", "10.0.0.1", 31), True)):
        expect(sub.same_subnet(*args), want, f"same_subnet{args}")
