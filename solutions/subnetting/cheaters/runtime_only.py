"""A submission whose source names no forbidden module: `ipaddress` is fetched from the
already-loaded modules with a reversed name. The source scan misses it; where it runs,
the runner has unloaded the module beforehand: must score 0."""

import sys
from operator import attrgetter

_loaded = attrgetter("mod" + "ules")(sys)


def _lib():
    return _loaded["".join(reversed("sserdda" + "pi"))]


def ip_to_int(s):
    return int(_lib().IPv4Address(s))


def int_to_ip(n):
    return str(_lib().IPv4Address(n))


def network_address(s, p):
    return str(_lib().IPv4Network((s, p), strict=False).network_address)


def broadcast_address(s, p):
    return str(_lib().IPv4Network((s, p), strict=False).broadcast_address)
