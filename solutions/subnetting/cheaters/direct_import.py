"""A submission that hands the arithmetic to `ipaddress` (forbidden): must score 0."""

import ipaddress


def ip_to_int(s):
    return int(ipaddress.IPv4Address(s))


def int_to_ip(n):
    return str(ipaddress.IPv4Address(n))


def network_address(s, p):
    return str(ipaddress.IPv4Network((s, p), strict=False).network_address)


def broadcast_address(s, p):
    return str(ipaddress.IPv4Network((s, p), strict=False).broadcast_address)


def split_network(cidr, new_prefix):
    return [str(n) for n in ipaddress.IPv4Network(cidr).subnets(new_prefix=new_prefix)]


def summarize(cidrs):
    return [str(n) for n in ipaddress.collapse_addresses(ipaddress.IPv4Network(c) for c in cidrs)]
