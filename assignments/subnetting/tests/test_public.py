"""Public checks for the subnetting assignment (students receive this file)."""

from autograder.checks import expect_raises_value_error
from autograder.marks import graded


def _same(got, want, call):
    assert got == want and type(got) is type(want), f"{call} returned {got!r}, expected {want!r}"


@graded(points=1, task="ip_to_int")
def test_ip_to_int_example(sub):
    """Is 202.116.0.1 the number 3396599809, and is '1.2.3.04' refused?"""
    _same(sub.ip_to_int("202.116.0.1"), 3396599809, "ip_to_int('202.116.0.1')")
    expect_raises_value_error(sub.ip_to_int, "1.2.3.04", argument="s")


@graded(points=1, task="int_to_ip")
def test_int_to_ip_example(sub):
    """Is 3396599809 written 202.116.0.1?"""
    _same(sub.int_to_ip(3396599809), "202.116.0.1", "int_to_ip(3396599809)")


@graded(points=1, task="to_binary")
def test_to_binary_example(sub):
    """Is 10.1.2.3 written in binary with 8 bits per octet?"""
    _same(sub.to_binary("10.1.2.3"), "00001010.00000001.00000010.00000011", "to_binary('10.1.2.3')")


@graded(points=1, task="ip_class")
def test_ip_class_examples(sub):
    """Are 10.0.0.1, 172.16.0.1, 192.168.0.1 and 224.0.0.1 classes A, B, C and D?"""
    for text, want in (("10.0.0.1", "A"), ("172.16.0.1", "B"), ("192.168.0.1", "C"), ("224.0.0.1", "D")):
        _same(sub.ip_class(text), want, f"ip_class({text!r})")


@graded(points=1, task="default_mask")
def test_default_mask_example(sub):
    """Is the default mask of 192.168.0.1 255.255.255.0?"""
    _same(sub.default_mask("192.168.0.1"), "255.255.255.0", "default_mask('192.168.0.1')")


@graded(points=1, task="prefix_to_mask")
def test_prefix_to_mask_example(sub):
    """Is /26 the mask 255.255.255.192?"""
    _same(sub.prefix_to_mask(26), "255.255.255.192", "prefix_to_mask(26)")


@graded(points=1, task="mask_to_prefix")
def test_mask_to_prefix_example(sub):
    """Is 255.255.240.0 a /20, and is 255.0.255.0 refused?"""
    _same(sub.mask_to_prefix("255.255.240.0"), 20, "mask_to_prefix('255.255.240.0')")
    expect_raises_value_error(sub.mask_to_prefix, "255.0.255.0", argument="mask")


@graded(points=1, task="wildcard_mask")
def test_wildcard_mask_example(sub):
    """Is the wildcard of /26 0.0.0.63?"""
    _same(sub.wildcard_mask(26), "0.0.0.63", "wildcard_mask(26)")


@graded(points=1, task="parse_cidr")
def test_parse_cidr_example(sub):
    """Is '192.168.1.77/26' read as (3232235853, 26)?"""
    _same(sub.parse_cidr("192.168.1.77/26"), (3232235853, 26), "parse_cidr('192.168.1.77/26')")


@graded(points=1, task="network_address")
def test_network_address_example(sub):
    """Is 192.168.1.77/26 in network 192.168.1.64?"""
    _same(sub.network_address("192.168.1.77", 26), "192.168.1.64", "network_address('192.168.1.77', 26)")


@graded(points=1, task="broadcast_address")
def test_broadcast_address_example(sub):
    """Is the broadcast of 192.168.1.77/26 192.168.1.127?"""
    _same(sub.broadcast_address("192.168.1.77", 26), "192.168.1.127",
          "broadcast_address('192.168.1.77', 26)")


@graded(points=1, task="host_range")
def test_host_range_example(sub):
    """Are the hosts of 192.168.1.77/26 .65 to .126?"""
    got = tuple(sub.host_range("192.168.1.77", 26))
    _same(got, ("192.168.1.65", "192.168.1.126"), "host_range('192.168.1.77', 26)")


@graded(points=1, task="usable_hosts")
def test_usable_hosts_example(sub):
    """Does a /26 hold 62 hosts?"""
    _same(sub.usable_hosts(26), 62, "usable_hosts(26)")


@graded(points=1, task="same_subnet")
def test_same_subnet_example(sub):
    """Are 10.0.0.1 and 10.0.0.200 in the same /24, and 10.0.0.1 and 10.0.1.1 not?"""
    _same(sub.same_subnet("10.0.0.1", "10.0.0.200", 24), True, "same_subnet('10.0.0.1', '10.0.0.200', 24)")
    _same(sub.same_subnet("10.0.0.1", "10.0.1.1", 24), False, "same_subnet('10.0.0.1', '10.0.1.1', 24)")


@graded(points=1, task="split_network")
def test_split_network_example(sub):
    """Does 10.0.0.0/23 split into two /24s?"""
    _same(sub.split_network("10.0.0.0/23", 24), ["10.0.0.0/24", "10.0.1.0/24"],
          "split_network('10.0.0.0/23', 24)")


@graded(points=1, task="prefix_for_subnets")
def test_prefix_for_subnets_example(sub):
    """Do 3 subnets of a /24 need /26?"""
    _same(sub.prefix_for_subnets("192.168.0.0/24", 3), 26, "prefix_for_subnets('192.168.0.0/24', 3)")


@graded(points=1, task="prefix_for_hosts")
def test_prefix_for_hosts_example(sub):
    """Do 62 hosts fit a /26 and 63 need a /25?"""
    _same(sub.prefix_for_hosts(62), 26, "prefix_for_hosts(62)")
    _same(sub.prefix_for_hosts(63), 25, "prefix_for_hosts(63)")


@graded(points=1, task="vlsm")
def test_vlsm_example(sub):
    """Do 60 and 10 hosts in 10.0.0.0/24 get 10.0.0.0/26 and 10.0.0.64/28?"""
    _same(sub.vlsm("10.0.0.0/24", [60, 10]), ["10.0.0.0/26", "10.0.0.64/28"],
          "vlsm('10.0.0.0/24', [60, 10])")


@graded(points=1, task="summarize")
def test_summarize_example(sub):
    """Do two sibling /25s summarise to one /24?"""
    _same(sub.summarize(["10.0.0.128/25", "10.0.0.0/25"]), ["10.0.0.0/24"],
          "summarize(['10.0.0.128/25', '10.0.0.0/25'])")


@graded(points=1, task="special_block")
def test_special_block_example(sub):
    """Is 192.168.7.7 in 192.168.0.0/16 and 8.8.8.8 in none?"""
    _same(sub.special_block("192.168.7.7"), "192.168.0.0/16", "special_block('192.168.7.7')")
    assert sub.special_block("8.8.8.8") is None, "special_block('8.8.8.8') should be None"


@graded(points=1, task="longest_prefix_match")
def test_lpm_example(sub):
    """Does the /16 route beat the default route for 10.1.2.3?"""
    table = [("0.0.0.0/0", "isp"), ("10.1.0.0/16", "lab")]
    _same(sub.longest_prefix_match(table, "10.1.2.3"), "lab", "longest_prefix_match(table, '10.1.2.3')")


@graded(points=1, task="next_hop")
def test_next_hop_example(sub):
    """Is 192.168.1.77 direct from 192.168.1.10/24, and 8.8.8.8 via the gateway?"""
    _same(sub.next_hop("192.168.1.10/24", "192.168.1.1", "192.168.1.77"), "direct",
          "next_hop('192.168.1.10/24', '192.168.1.1', '192.168.1.77')")
    _same(sub.next_hop("192.168.1.10/24", "192.168.1.1", "8.8.8.8"), "192.168.1.1",
          "next_hop('192.168.1.10/24', '192.168.1.1', '8.8.8.8')")


@graded(points=1, task="trace_route")
def test_trace_route_example(sub):
    """Does a packet cross from R1 to R2's LAN?"""
    routers = {
        "R1": {"interfaces": ["10.0.1.1/24", "10.0.12.1/30"], "routes": [("10.0.2.0/24", "10.0.12.2")]},
        "R2": {"interfaces": ["10.0.2.1/24", "10.0.12.2/30"], "routes": [("10.0.1.0/24", "10.0.12.1")]},
    }
    _same(sub.trace_route(routers, "R1", "10.0.2.50"), ["R1", "R2", "delivered"],
          "trace_route(routers, 'R1', '10.0.2.50')")


# Wikipedia's example IPv4 header (UDP, 192.168.0.1 -> 192.168.0.199), checksum 0xb861.
HEADER = bytes.fromhex("45000073000040004011b861c0a80001c0a800c7")


@graded(points=1, task="ipv4_checksum")
def test_ipv4_checksum_example(sub):
    """Is the checksum of Wikipedia's example header 0xb861 with its field zeroed, and 0 with it filled in?"""
    zeroed = HEADER[:10] + b"\x00\x00" + HEADER[12:]
    _same(sub.ipv4_checksum(zeroed), 0xB861, "ipv4_checksum(<header with checksum field 0>)")
    _same(sub.ipv4_checksum(HEADER), 0, "ipv4_checksum(<header with its checksum>)")


@graded(points=1, task="parse_ipv4_header")
def test_parse_ipv4_header_example(sub):
    """Does Wikipedia's example header give TTL 64, UDP, DF, a valid checksum and its two addresses?"""
    fields = sub.parse_ipv4_header(HEADER + bytes(95))
    want = {"version": 4, "ihl": 5, "header_length": 20, "total_length": 115, "df": True,
            "mf": False, "fragment_offset": 0, "ttl": 64, "protocol": 17, "checksum": 0xB861,
            "checksum_ok": True, "src": "192.168.0.1", "dst": "192.168.0.199"}
    assert isinstance(fields, dict), f"parse_ipv4_header returned {fields!r}, expected a dict"
    for key, value in want.items():
        _same(fields.get(key), value, f"parse_ipv4_header(<example packet>)[{key!r}]")
    expect_raises_value_error(sub.parse_ipv4_header, HEADER[:19], argument="packet")
