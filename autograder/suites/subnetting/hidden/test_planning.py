"""Hidden tests: splitting a network, VLSM, summarisation and special-purpose blocks."""

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import expect_raises_value_error
from autograder.marks import graded
from autograder.suites.subnetting.support import (
    RFC6890,
    addresses,
    expect,
    lpm,
    networks,
    oracle_settings,
    quad,
    usable,
    vlsm_oracle,
)

# ---------------------------------------------------------------- split_network


@st.composite
def _splits(draw):
    net = draw(networks(min_prefix=8, max_prefix=32))
    return net, draw(st.integers(net.prefixlen, min(32, net.prefixlen + 7)))


@graded(points=3, task="split_network")
@oracle_settings(80)
@given(case=_splits())
def test_split_network_matches_ipaddress(sub, case):
    """Does split_network list the same subnets, in the same order, as ipaddress's subnets()?"""
    net, q = case
    want = [str(s) for s in net.subnets(new_prefix=q)]
    got = sub.split_network(str(net), q)
    expect(got, want, f"split_network({str(net)!r}, {q})",
           "subnet zero and the all-ones subnet are usable: all 2**(q - p) subnets, in address order")


@graded(points=1, task="split_network")
def test_split_network_edges(sub):
    """Are /0 -> /1, a /30 into /32s and a split into the same prefix right?"""
    for args, want in ((("0.0.0.0/0", 1), ["0.0.0.0/1", "128.0.0.0/1"]),
                       (("10.0.0.0/30", 32), ["10.0.0.0/32", "10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32"]),
                       (("10.0.0.0/30", 31), ["10.0.0.0/31", "10.0.0.2/31"]),
                       (("192.168.4.0/22", 22), ["192.168.4.0/22"])):
        expect(sub.split_network(*args), want, f"split_network{args}")


@graded(points=1, task="split_network")
def test_split_network_bad_prefix(sub):
    """Does a new prefix shorter than the network's, or above 32, raise ValueError naming `new_prefix`?"""
    expect_raises_value_error(sub.split_network, "10.0.0.0/16", 8, argument="new_prefix")
    expect_raises_value_error(sub.split_network, "10.0.0.0/30", 33, argument="new_prefix")


# ---------------------------------------------------------------- prefix_for_subnets and _hosts


@graded(points=2, task="prefix_for_subnets")
@oracle_settings(100)
@given(net=networks(max_prefix=32), n=st.integers(1, 5000))
def test_prefix_for_subnets_is_smallest(sub, net, n):
    """Is the prefix the smallest q whose split gives at least n subnets (counted by ipaddress)?"""
    fits = [q for q in range(net.prefixlen, 33)
            if net.num_addresses // ipaddress.IPv4Network(f"0.0.0.0/{q}").num_addresses >= n]
    if not fits:
        expect_raises_value_error(sub.prefix_for_subnets, str(net), n, argument="n")
        return
    expect(sub.prefix_for_subnets(str(net), n), fits[0], f"prefix_for_subnets({str(net)!r}, {n})",
           "k more bits give 2**k subnets: take the smallest k with 2**k >= n")


@graded(points=1, task="prefix_for_subnets")
def test_prefix_for_subnets_edges(sub):
    """Is one subnet the network itself, and are too many subnets or n = 0 a ValueError naming `n`?"""
    expect(sub.prefix_for_subnets("10.0.0.0/8", 1), 8, "prefix_for_subnets('10.0.0.0/8', 1)")
    expect(sub.prefix_for_subnets("10.0.0.0/8", 4), 10, "prefix_for_subnets('10.0.0.0/8', 4)",
           "4 = 2**2 subnets need exactly 2 more bits")
    expect(sub.prefix_for_subnets("10.0.0.0/30", 4), 32, "prefix_for_subnets('10.0.0.0/30', 4)")
    expect_raises_value_error(sub.prefix_for_subnets, "10.0.0.0/30", 5, argument="n")
    expect_raises_value_error(sub.prefix_for_subnets, "10.0.0.0/8", 0, argument="n")


@graded(points=2, task="prefix_for_hosts")
def test_prefix_for_hosts_at_every_boundary(sub):
    """For each p <= 30, does exactly-full fit in /p and one more host need /(p - 1)?"""
    for p in range(1, 31):
        expect(sub.prefix_for_hosts(usable(p)), p, f"prefix_for_hosts({usable(p)})",
               "a /p holds 2**(32 - p) - 2 hosts")
        expect(sub.prefix_for_hosts(usable(p) + 1), p - 1, f"prefix_for_hosts({usable(p) + 1})")


@graded(points=1, task="prefix_for_hosts")
def test_prefix_for_hosts_never_31_or_32(sub):
    """Do 1 and 2 hosts get a /30 (the largest prefix allowed), not /31 or /32?"""
    for n in (1, 2):
        expect(sub.prefix_for_hosts(n), 30, f"prefix_for_hosts({n})",
               "subnets for hosts stop at /30 (a LAN needs network and broadcast addresses)")


@graded(points=1, task="prefix_for_hosts")
def test_prefix_for_hosts_invalid(sub):
    """Do 0 hosts and more than 2**32 - 2 hosts raise ValueError naming `n`?"""
    for n in (0, -3, 2**32 - 1):
        expect_raises_value_error(sub.prefix_for_hosts, n, argument="n")


# ---------------------------------------------------------------- vlsm


@graded(points=1, task="vlsm")
def test_vlsm_textbook_example(sub):
    """Does 192.168.1.0/24 with 100, 50, 20 and 2 hosts give /25, /26, /27 and /30 packed from .0?"""
    got = sub.vlsm("192.168.1.0/24", [100, 50, 20, 2])
    expect(got, ["192.168.1.0/25", "192.168.1.128/26", "192.168.1.192/27", "192.168.1.224/30"],
           "vlsm('192.168.1.0/24', [100, 50, 20, 2])")


@graded(points=1, task="vlsm")
def test_vlsm_keeps_input_order(sub):
    """With requests out of order, is the largest still placed first and the result in input order?"""
    got = sub.vlsm("192.168.1.0/24", [2, 100, 20, 50])
    expect(got, ["192.168.1.224/30", "192.168.1.0/25", "192.168.1.192/27", "192.168.1.128/26"],
           "vlsm('192.168.1.0/24', [2, 100, 20, 50])",
           "allocate largest first (sort), then answer in the order of host_counts")


@graded(points=1, task="vlsm")
def test_vlsm_ties_in_input_order(sub):
    """Do equal requests keep input order, and does a larger request in the same block size go first?"""
    got = sub.vlsm("10.0.0.0/24", [20, 30, 20])
    expect(got, ["10.0.0.32/27", "10.0.0.0/27", "10.0.0.64/27"], "vlsm('10.0.0.0/24', [20, 30, 20])",
           "sort by host count, largest first, with a stable sort")


@graded(points=1, task="vlsm")
def test_vlsm_does_not_fit(sub):
    """Do requests that need more room than the network raise ValueError naming `host_counts`?"""
    expect_raises_value_error(sub.vlsm, "192.168.1.0/24", [200, 100], argument="host_counts")
    expect_raises_value_error(sub.vlsm, "192.168.1.0/24", [300], argument="host_counts")
    expect_raises_value_error(sub.vlsm, "192.168.1.0/30", [2, 1], argument="host_counts")


@st.composite
def _vlsm_cases(draw):
    net = draw(networks(min_prefix=16, max_prefix=26))
    room = net.num_addresses
    counts = draw(st.lists(st.integers(1, max(1, room // 3)), min_size=1, max_size=7))
    return str(net), counts


@graded(points=3, task="vlsm")
@oracle_settings(100)
@given(case=_vlsm_cases())
def test_vlsm_matches_allocation_rule(sub, case):
    """On random plans, does vlsm give the blocks of the stated rule (or ValueError when they do not fit)?"""
    cidr, counts = case
    want = vlsm_oracle(cidr, counts)
    if want is None:
        expect_raises_value_error(sub.vlsm, cidr, counts, argument="host_counts")
        return
    got = sub.vlsm(cidr, list(counts))
    expect(got, want, f"vlsm({cidr!r}, {counts})",
           "largest request first, tightest block, lowest free address aligned to its size")


# ---------------------------------------------------------------- summarize


def _collapse(cidrs):
    return [str(n) for n in ipaddress.collapse_addresses(ipaddress.IPv4Network(c) for c in cidrs)]


@graded(points=1, task="summarize")
def test_summarize_merges_siblings(sub):
    """Do four consecutive /26s become one /24, and a /25 plus its sibling /25 one /24?"""
    cases = (["192.168.1.0/26", "192.168.1.64/26", "192.168.1.128/26", "192.168.1.192/26"],
             ["10.0.0.128/25", "10.0.0.0/25"])
    for cidrs in cases:
        expect(sub.summarize(cidrs), _collapse(cidrs), f"summarize({cidrs})")


@graded(points=2, task="summarize")
def test_summarize_never_over_covers(sub):
    """Are adjacent blocks that are not aligned siblings kept apart (10.0.1.0/24 + 10.0.2.0/24)?"""
    for cidrs in (["10.0.1.0/24", "10.0.2.0/24"], ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
                  ["172.16.1.0/24", "172.16.3.0/24"], ["192.168.0.64/26", "192.168.0.128/26"]):
        expect(sub.summarize(cidrs), _collapse(cidrs), f"summarize({cidrs})",
               "a summary must cover exactly the same addresses: 10.0.1.0/24 and 10.0.2.0/24 "
               "are not halves of one /23")


@graded(points=1, task="summarize")
def test_summarize_duplicates_and_nesting(sub):
    """Are duplicates and networks inside others absorbed, and is an empty list summarised as []?"""
    for cidrs in (["10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/8"], ["0.0.0.0/0", "1.2.3.4/32"],
                  ["255.255.255.255/32", "255.255.255.254/32"], []):
        expect(sub.summarize(cidrs), _collapse(cidrs), f"summarize({cidrs})")


@graded(points=3, task="summarize")
@oracle_settings(100)
@given(nets=st.lists(networks(min_prefix=20, max_prefix=30,
                              inside=ipaddress.IPv4Network("10.0.0.0/18")), max_size=12))
def test_summarize_matches_collapse_addresses(sub, nets):
    """On random overlapping and adjacent networks, is the summary ipaddress.collapse_addresses?"""
    cidrs = [str(n) for n in nets]
    expect(sub.summarize(cidrs), _collapse(cidrs), f"summarize({cidrs})",
           "the result must be sorted, cover exactly the same addresses, and use as few blocks as possible")


# ---------------------------------------------------------------- special_block


@graded(points=2, task="special_block")
def test_special_block_edges_of_every_block(sub):
    """Is the first and the last address of every RFC 6890 block found in that block?"""
    for block in RFC6890:
        net = ipaddress.IPv4Network(block)
        for address in (net.network_address, net.broadcast_address):
            want = lpm([(b, b) for b in RFC6890], str(address))
            expect(sub.special_block(str(address)), want, f"special_block({str(address)!r})",
                   "return the CIDR string of the most specific block that contains the address")


@graded(points=1, task="special_block")
def test_special_block_most_specific(sub):
    """Does 192.0.0.5 fall in 192.0.0.0/29 (inside 192.0.0.0/24), and 192.0.0.9 in the /24?"""
    expect(sub.special_block("192.0.0.5"), "192.0.0.0/29", "special_block('192.0.0.5')",
           "when blocks nest, the longest prefix wins")
    expect(sub.special_block("192.0.0.9"), "192.0.0.0/24", "special_block('192.0.0.9')")


@graded(points=1, task="special_block")
def test_special_block_ordinary_addresses(sub):
    """Are ordinary addresses just outside the blocks (172.32.0.0, 100.128.0.0, 8.8.8.8) None?"""
    for text in ("8.8.8.8", "1.1.1.1", "172.32.0.0", "172.15.255.255", "100.128.0.0", "11.0.0.0",
                 "192.169.0.0", "126.255.255.255", "224.0.0.1", "239.255.255.255"):
        expect(sub.special_block(text), None, f"special_block({text!r})")


@graded(points=1, task="special_block")
@oracle_settings(100)
@given(n=addresses)
def test_special_block_random_addresses(sub, n):
    """For any address, is the answer the fixed RFC 6890 table's most specific block (or None)?"""
    want = lpm([(b, b) for b in RFC6890], quad(n))
    expect(sub.special_block(quad(n)), want, f"special_block({quad(n)!r})")
