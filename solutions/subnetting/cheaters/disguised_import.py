"""A submission that hides `ipaddress` behind __import__ and a built name: must score 0."""

_net = __import__("ip" + "address")


def ip_to_int(s):
    return int(_net.IPv4Address(s))


def int_to_ip(n):
    return str(_net.IPv4Address(n))


def network_address(s, p):
    return str(_net.IPv4Network((s, p), strict=False).network_address)


def summarize(cidrs):
    return [str(n) for n in _net.collapse_addresses(_net.IPv4Network(c) for c in cidrs)]
