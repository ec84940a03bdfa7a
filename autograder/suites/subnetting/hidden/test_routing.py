"""Hidden tests: longest prefix match, the host's next hop, and tracing a packet."""

import copy
import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import expect_raises_value_error
from autograder.marks import graded
from autograder.suites.subnetting.support import (
    addresses,
    chain,
    expect,
    lpm,
    networks,
    oracle_settings,
    quad,
    simulate,
)

# ---------------------------------------------------------------- longest_prefix_match


@graded(points=1, task="longest_prefix_match")
def test_lpm_prefers_longest(sub):
    """Does the /24 beat the /16, the /16 beat the /8 and the /8 beat the default route?"""
    table = [("0.0.0.0/0", "isp"), ("10.0.0.0/8", "core"), ("10.1.0.0/16", "site"),
             ("10.1.2.0/24", "lab")]
    for dst, want in (("10.1.2.3", "lab"), ("10.1.3.3", "site"), ("10.2.0.1", "core"),
                      ("11.0.0.1", "isp")):
        expect(sub.longest_prefix_match(table, dst), want, f"longest_prefix_match(<table>, {dst!r})",
               "the most specific (longest) matching prefix wins, wherever it is in the table")
    expect(sub.longest_prefix_match(table[::-1], "10.1.3.3"), "site",
           "longest_prefix_match(<reversed table>, '10.1.3.3')", "table order only breaks ties")


@graded(points=1, task="longest_prefix_match")
def test_lpm_compares_bits_not_text(sub):
    """Is 10.10.1.1 outside 10.1.0.0/16, and 172.20.0.1 inside 172.16.0.0/12?"""
    table = [("10.1.0.0/16", "A"), ("172.16.0.0/12", "B"), ("192.168.0.0/23", "C")]
    for dst, want in (("10.10.1.1", None), ("10.1.200.1", "A"), ("172.20.0.1", "B"),
                      ("172.32.0.1", None), ("192.168.1.9", "C"), ("192.168.2.9", None)):
        expect(sub.longest_prefix_match(table, dst), want, f"longest_prefix_match(<table>, {dst!r})",
               "compare the first p bits of the numbers; text prefixes ('10.1' vs '10.10') "
               "and octet boundaries (/12, /23) mislead")


@graded(points=1, task="longest_prefix_match")
def test_lpm_tie_and_no_match(sub):
    """On two routes for the same prefix does the first win, and does no match give None?"""
    table = [("192.168.0.0/16", "first"), ("192.168.0.0/16", "second")]
    expect(sub.longest_prefix_match(table, "192.168.5.5"), "first",
           "longest_prefix_match(<tie>, '192.168.5.5')", "on a tie the first route in table order wins")
    expect(sub.longest_prefix_match(table, "8.8.8.8"), None, "longest_prefix_match(<table>, '8.8.8.8')")
    expect(sub.longest_prefix_match([], "8.8.8.8"), None, "longest_prefix_match([], '8.8.8.8')")
    expect(sub.longest_prefix_match([("8.8.8.8/32", "host")], "8.8.8.8"), "host",
           "longest_prefix_match([('8.8.8.8/32', 'host')], '8.8.8.8')")


@st.composite
def _tables(draw):
    dst = draw(addresses)
    routes = []
    for i in range(draw(st.integers(0, 10))):
        if draw(st.booleans()):  # a route that contains dst
            net = ipaddress.IPv4Network((dst, draw(st.integers(0, 32))), strict=False)
        else:
            net = draw(networks())
        routes.append((str(net), f"hop{i}"))
    return routes, quad(dst)


@graded(points=3, task="longest_prefix_match")
@oracle_settings(120)
@given(case=_tables())
def test_lpm_matches_oracle(sub, case):
    """On random tables, is the answer the longest matching prefix found with ipaddress?"""
    table, dst = case
    expect(sub.longest_prefix_match(table, dst), lpm(table, dst), f"longest_prefix_match({table}, {dst!r})")


# ---------------------------------------------------------------- next_hop


@graded(points=2, task="next_hop")
@oracle_settings(120)
@given(src=addresses, p=st.integers(0, 32), dst=addresses, near=st.booleans())
def test_next_hop_matches_ipaddress(sub, src, p, dst, near):
    """Is the answer 'direct' exactly when dst is in the sender's network (by ipaddress)?"""
    if near:
        dst = src ^ (dst % 2 ** (32 - p))
    iface = ipaddress.IPv4Interface((src, p))
    gateway = quad(int(iface.network.network_address) + (1 if p < 32 else 0))
    want = "direct" if ipaddress.IPv4Address(dst) in iface.network else gateway
    expect(sub.next_hop(str(iface), gateway, quad(dst)), want,
           f"next_hop({str(iface)!r}, {gateway!r}, {quad(dst)!r})")


@graded(points=1, task="next_hop")
def test_next_hop_uses_the_prefix_not_the_class(sub):
    """Does a /20 sender in class A space (and a /31, /32) decide by its prefix, not a class mask?"""
    cases = ((("10.0.5.9/20", "10.0.0.1", "10.0.15.200"), "direct"),
             (("10.0.5.9/20", "10.0.0.1", "10.0.16.1"), "10.0.0.1"),
             (("172.16.0.1/31", "172.16.0.0", "172.16.0.0"), "direct"),
             (("192.168.1.7/32", "192.168.1.1", "192.168.1.8"), "192.168.1.1"),
             (("192.168.1.7/23", "192.168.0.1", "192.168.0.200"), "direct"))
    for args, want in cases:
        expect(sub.next_hop(*args), want, f"next_hop{args}",
               "on-link means same network under the sender's own prefix")


# ---------------------------------------------------------------- trace_route

TRIANGLE = {
    "R1": {"interfaces": ["192.168.1.1/24", "10.0.12.1/30", "10.0.13.1/30"],
           "routes": [("192.168.3.0/24", "10.0.13.2"), ("0.0.0.0/0", "10.0.12.2")]},
    "R2": {"interfaces": ["10.0.12.2/30", "10.0.23.1/30", "192.168.2.1/24"],
           "routes": [("192.168.1.0/24", "10.0.12.1"), ("192.168.3.0/24", "10.0.23.2")]},
    "R3": {"interfaces": ["10.0.13.2/30", "10.0.23.2/30", "192.168.3.1/24"],
           "routes": [("192.168.1.0/24", "10.0.13.1"), ("192.168.2.0/24", "10.0.23.1"),
                      ("192.168.2.128/25", "10.0.13.1")]},
}

LOOP = {
    "A": {"interfaces": ["10.0.0.1/30"], "routes": [("0.0.0.0/0", "10.0.0.2")]},
    "B": {"interfaces": ["10.0.0.2/30"], "routes": [("0.0.0.0/0", "10.0.0.1")]},
}


def _trace(sub, routers, start, dst, ttl=64):
    call = f"trace_route(<{len(routers)} routers>, {start!r}, {dst!r}, ttl={ttl})"
    return sub.trace_route(copy.deepcopy(routers), start, dst, ttl), call


@graded(points=2, task="trace_route")
def test_trace_delivers(sub):
    """Is a packet delivered locally, over one hop and over the most specific route?"""
    cases = (("R1", "192.168.1.77", ["R1", "delivered"]),
             ("R1", "192.168.2.5", ["R1", "R2", "delivered"]),
             ("R1", "192.168.3.5", ["R1", "R3", "delivered"]),
             ("R3", "192.168.2.5", ["R3", "R2", "delivered"]),
             ("R3", "192.168.2.200", ["R3", "R1", "R2", "delivered"]))
    for start, dst, want in cases:
        got, call = _trace(sub, TRIANGLE, start, dst)
        expect(got, want, call, "deliver on a connected subnet, else forward by longest prefix match")


@graded(points=1, task="trace_route")
def test_trace_unreachable(sub):
    """Is a destination without a route answered 'unreachable' by the router that has none?"""
    got, call = _trace(sub, TRIANGLE, "R2", "8.8.8.8")
    expect(got, ["R2", "unreachable"], call)
    got, call = _trace(sub, TRIANGLE, "R1", "8.8.8.8")
    expect(got, ["R1", "R2", "unreachable"], call, "R1 forwards by its default route; R2 has no route")


@graded(points=2, task="trace_route")
def test_trace_ttl_is_checked_before_delivery(sub):
    """With ttl=1, does even a local destination die at the first router ('ttl-exceeded')?"""
    got, call = _trace(sub, TRIANGLE, "R1", "192.168.1.77", ttl=1)
    expect(got, ["R1", "ttl-exceeded"], call,
           "every router decrements the TTL first and drops the packet when it reaches 0")
    got, call = _trace(sub, TRIANGLE, "R1", "192.168.1.77", ttl=2)
    expect(got, ["R1", "delivered"], call)


@graded(points=1, task="trace_route")
def test_trace_like_traceroute(sub):
    """Along a chain of 5 routers, does ttl=k stop at router k, and ttl=6 reach the last LAN?"""
    routers = chain(5)
    for k in range(1, 6):
        got, call = _trace(sub, routers, "R1", "10.5.0.9", ttl=k)
        expect(got, [f"R{i}" for i in range(1, k + 1)] + ["ttl-exceeded"], call,
               "the k-th router is where a packet sent with TTL k dies (that is how traceroute works)")
    got, call = _trace(sub, routers, "R1", "10.5.0.9", ttl=6)
    expect(got, ["R1", "R2", "R3", "R4", "R5", "delivered"], call)


@graded(points=1, task="trace_route")
def test_trace_routing_loop(sub):
    """In a two-router loop, does the packet bounce until its TTL runs out?"""
    for ttl in (1, 5, 64):
        got, call = _trace(sub, LOOP, "A", "8.8.8.8", ttl=ttl)
        want = [("A", "B")[i % 2] for i in range(ttl)] + ["ttl-exceeded"]
        expect(got, want, call, "a loop ends only when the TTL reaches 0")


@graded(points=1, task="trace_route")
def test_trace_invalid_arguments(sub):
    """Do an unknown start router and ttl=0 raise ValueError naming them?"""
    expect_raises_value_error(sub.trace_route, copy.deepcopy(TRIANGLE), "R9", "192.168.1.5",
                              argument="start")
    expect_raises_value_error(sub.trace_route, copy.deepcopy(TRIANGLE), "R1", "192.168.1.5", ttl=0,
                              argument="ttl")


@st.composite
def _chains(draw):
    n = draw(st.integers(1, 7))
    routers = chain(n)
    for name in draw(st.sets(st.sampled_from(sorted(routers)), max_size=2)):
        routers[name]["routes"].append(("0.0.0.0/0", draw(st.sampled_from(
            [i.split("/")[0] for r in routers.values() for i in r["interfaces"]]))))
    dst = draw(st.one_of(st.builds(lambda j, h: f"10.{j}.0.{h}", st.integers(1, n + 1),
                                   st.integers(2, 254)),
                         st.just("203.0.113.9")))
    return routers, draw(st.sampled_from(sorted(routers))), dst, draw(st.integers(1, 10))


@graded(points=2, task="trace_route")
@oracle_settings(120)
@given(case=_chains())
def test_trace_matches_simulation(sub, case):
    """On random chains with stray default routes, does the trace follow the contract's forwarding loop?"""
    routers, start, dst, ttl = case
    want = simulate(routers, start, dst, ttl)
    got, call = _trace(sub, routers, start, dst, ttl)
    expect(got, want, f"{call} with routers {routers}")
