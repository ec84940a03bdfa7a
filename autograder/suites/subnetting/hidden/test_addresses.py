"""Hidden tests: strict dotted quads, binary, and the classful scheme."""

import ipaddress
import re

from hypothesis import given
from hypothesis import strategies as st

from autograder.checks import expect_raises_value_error
from autograder.marks import graded
from autograder.suites.subnetting.support import addresses, expect, oracle_settings, quad

STRICT = re.compile(r"(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}", re.ASCII)

LEADING_ZEROS = ["01.2.3.4", "1.2.3.04", "1.02.3.4", "00.0.0.0", "0.0.0.00", "1.2.3.004",
                 "010.0.0.1", "192.168.001.1"]
SIGNS_SPACES_UNDERSCORES = [" 1.2.3.4", "1.2.3.4 ", "1. 2.3.4", "1 .2.3.4", "+1.2.3.4",
                            "1.-2.3.4", "1.2.3.+4", "1_0.2.3.4", "1.2.3.2_5", "1.2.3.\t4",
                            "0x1.2.3.4", "1.2.3.1e2", "1.2.3.4\r"]
NON_ASCII_DIGITS = ["١.٢.٣.٤", "1.2.3.٤", "１.２.３.４", "1.2.3.４", "1.2.3.৪", "1.2.3.߄",
                    "1.2.3.²", "1.2.۳.4"]
WRONG_SHAPE = ["", "1.2.3", "1.2.3.4.5", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4\n",
               "\n1.2.3.4", "...", "1.2.3.", "localhost", "1.2.3.4/24", "1,2,3,4", "16909060"]
OVER_255 = ["256.0.0.0", "1.2.3.256", "999.1.1.1", "1.2.3.1000", "300.300.300.300",
            "255.255.255.256"]


def _must_reject(sub, strings, what):
    for text in strings:
        expect_raises_value_error(sub.ip_to_int, text, argument="s")


# ---------------------------------------------------------------- ip_to_int


@graded(points=3, task="ip_to_int")
@oracle_settings(120)
@given(n=addresses)
def test_ip_to_int_matches_ipaddress(sub, n):
    """Does ip_to_int give the same number as ipaddress for any valid address?"""
    expect(sub.ip_to_int(quad(n)), n, f"ip_to_int({quad(n)!r})",
           "the first octet is the most significant: a*2**24 + b*2**16 + c*2**8 + d")


@graded(points=1, task="ip_to_int")
def test_ip_to_int_edges(sub):
    """Are 0.0.0.0, 255.255.255.255 and 127.0.0.1 read correctly?"""
    for text, want in (("0.0.0.0", 0), ("255.255.255.255", 2**32 - 1), ("127.0.0.1", 2130706433),
                       ("10.0.0.1", 167772161)):
        expect(sub.ip_to_int(text), want, f"ip_to_int({text!r})")


@graded(points=1, task="ip_to_int")
def test_ip_to_int_rejects_leading_zeros(sub):
    """Do octets with leading zeros ("01", "004") raise ValueError naming `s`?"""
    _must_reject(sub, LEADING_ZEROS, "leading zeros")


@graded(points=1, task="ip_to_int")
def test_ip_to_int_rejects_signs_spaces_underscores(sub):
    """Do spaces, signs, underscores and hex raise ValueError? (int(' 1') and int('1_0') accept them)"""
    _must_reject(sub, SIGNS_SPACES_UNDERSCORES, "signs, spaces, underscores")


@graded(points=1, task="ip_to_int")
def test_ip_to_int_rejects_non_ascii_digits(sub):
    """Do Arabic-Indic, fullwidth and other non-ASCII digits raise ValueError? (str.isdigit accepts them)"""
    _must_reject(sub, NON_ASCII_DIGITS, "non-ASCII digits")


@graded(points=1, task="ip_to_int")
def test_ip_to_int_rejects_wrong_shape(sub):
    """Do empty strings, wrong octet counts, stray dots and a trailing newline raise ValueError?"""
    _must_reject(sub, WRONG_SHAPE, "wrong shape")


@graded(points=1, task="ip_to_int")
def test_ip_to_int_rejects_octets_over_255(sub):
    """Do octets above 255 raise ValueError naming `s`?"""
    _must_reject(sub, OVER_255, "octets over 255")


@graded(points=1, task="ip_to_int")
def test_ip_to_int_rejects_non_strings(sub):
    """Do a number, None and bytes raise ValueError naming `s`?"""
    for value in (16909060, None, b"1.2.3.4"):
        expect_raises_value_error(sub.ip_to_int, value, argument="s")


OCTET_ISH = st.text(alphabet="0123456789 +-_\n٣４", min_size=0, max_size=4)


@graded(points=2, task="ip_to_int")
@oracle_settings(120)
@given(parts=st.lists(OCTET_ISH, min_size=3, max_size=5))
def test_ip_to_int_strict_on_random_text(sub, parts):
    """On random near-addresses, is a string accepted exactly when it is a strict dotted quad?"""
    text = ".".join(parts)
    valid = STRICT.fullmatch(text) is not None and all(int(o) <= 255 for o in text.split("."))
    if valid:
        expect(sub.ip_to_int(text), int(ipaddress.IPv4Address(text)), f"ip_to_int({text!r})")
    else:
        expect_raises_value_error(sub.ip_to_int, text, argument="s")


# ---------------------------------------------------------------- int_to_ip and to_binary


@graded(points=2, task="int_to_ip")
@oracle_settings(120)
@given(n=addresses)
def test_int_to_ip_matches_ipaddress(sub, n):
    """Does int_to_ip write every number as ipaddress does (no leading zeros, no padding)?"""
    expect(sub.int_to_ip(n), quad(n), f"int_to_ip({n})")


@graded(points=1, task="int_to_ip")
def test_int_to_ip_edges(sub):
    """Are 0, 2**32 - 1 and 2130706433 written as 0.0.0.0, 255.255.255.255 and 127.0.0.1?"""
    for n, want in ((0, "0.0.0.0"), (2**32 - 1, "255.255.255.255"), (2130706433, "127.0.0.1")):
        expect(sub.int_to_ip(n), want, f"int_to_ip({n})")


@graded(points=1, task="int_to_ip")
def test_int_to_ip_out_of_range(sub):
    """Do -1 and 2**32 raise ValueError naming `n`?"""
    for n in (-1, 2**32, 2**40):
        expect_raises_value_error(sub.int_to_ip, n, argument="n")


@graded(points=2, task="to_binary")
@oracle_settings(100)
@given(n=addresses)
def test_to_binary_matches_packed_bytes(sub, n):
    """Is to_binary the 4 bytes of ipaddress's packed form, 8 bits each, joined by dots?"""
    want = ".".join(format(byte, "08b") for byte in ipaddress.IPv4Address(n).packed)
    expect(sub.to_binary(quad(n)), want, f"to_binary({quad(n)!r})",
           "pad every octet to 8 bits (format(x, '08b'))")


@graded(points=1, task="to_binary")
def test_to_binary_examples(sub):
    """Do 202.116.0.1, 0.0.0.0 and 255.255.255.255 give the expected bit strings?"""
    for text, want in (("202.116.0.1", "11001010.01110100.00000000.00000001"),
                       ("0.0.0.0", "00000000.00000000.00000000.00000000"),
                       ("255.255.255.255", "11111111.11111111.11111111.11111111")):
        expect(sub.to_binary(text), want, f"to_binary({text!r})")


@graded(points=1, task="to_binary")
def test_to_binary_rejects_bad_addresses(sub):
    """Does to_binary raise ValueError naming `s` for a malformed address?"""
    for text in ("1.2.3.04", "1.2.3", "1.2.3.256"):
        expect_raises_value_error(sub.to_binary, text, argument="s")


# ---------------------------------------------------------------- classes

CLASS_EDGES = [("0.0.0.0", "A"), ("1.2.3.4", "A"), ("126.255.255.255", "A"),
               ("128.0.0.0", "B"), ("191.255.255.255", "B"), ("192.0.0.0", "C"),
               ("223.255.255.255", "C"), ("224.0.0.0", "D"), ("239.255.255.255", "D"),
               ("240.0.0.0", "E"), ("254.255.255.255", "E")]


def _class_by_bits(n: int) -> str:
    bits = format(n, "032b")
    return "A" if bits[0] == "0" else "B" if bits[:2] == "10" else \
        "C" if bits[:3] == "110" else "D" if bits[:4] == "1110" else "E"


@graded(points=2, task="ip_class")
def test_ip_class_boundaries(sub):
    """Is the class right at the first and last address of every class?"""
    for text, want in CLASS_EDGES:
        expect(sub.ip_class(text), want, f"ip_class({text!r})",
               "classes go by leading bits: 0 A, 10 B, 110 C, 1110 D, 1111 E")


@graded(points=1, task="ip_class")
def test_loopback_is_class_a(sub):
    """Is 127.x.x.x class A (leading bit 0), even though it is reserved for loopback?"""
    for text in ("127.0.0.1", "127.255.255.255", "127.0.0.0"):
        expect(sub.ip_class(text), "A", f"ip_class({text!r})",
               "127 = 0b01111111 starts with 0, so it is class A; "
               "ranges quoting A as 0-126 leave loopback out")


@graded(points=1, task="ip_class")
def test_limited_broadcast_is_class_e(sub):
    """Is 255.255.255.255 (the limited broadcast) class E, and multicast 224.0.0.1 class D?"""
    expect(sub.ip_class("255.255.255.255"), "E", "ip_class('255.255.255.255')",
           "broadcast is not a class: 255 = 0b11111111 is class E; class D is multicast")
    expect(sub.ip_class("224.0.0.1"), "D", "ip_class('224.0.0.1')")


@graded(points=2, task="ip_class")
@oracle_settings(100)
@given(n=addresses)
def test_ip_class_by_leading_bits(sub, n):
    """For any address, is the class the one its leading bits give?"""
    expect(sub.ip_class(quad(n)), _class_by_bits(n), f"ip_class({quad(n)!r})")


@graded(points=1, task="default_mask")
def test_default_mask_per_class(sub):
    """Are the default masks 255.0.0.0, 255.255.0.0 and 255.255.255.0 (127.0.0.1 included)?"""
    for text, want in (("10.1.2.3", "255.0.0.0"), ("127.0.0.1", "255.0.0.0"),
                       ("0.0.0.0", "255.0.0.0"), ("172.16.0.1", "255.255.0.0"),
                       ("191.255.255.255", "255.255.0.0"), ("192.168.1.1", "255.255.255.0"),
                       ("223.255.255.255", "255.255.255.0")):
        expect(sub.default_mask(text), want, f"default_mask({text!r})")


@graded(points=1, task="default_mask")
def test_default_mask_refuses_d_and_e(sub):
    """Do class D (multicast) and class E addresses raise ValueError naming `s`?"""
    for text in ("224.0.0.1", "239.255.255.255", "240.0.0.1", "255.255.255.255"):
        expect_raises_value_error(sub.default_mask, text, argument="s")


@graded(points=1, task="default_mask")
@oracle_settings(100)
@given(n=st.integers(0, 0xDFFFFFFF))
def test_default_mask_matches_class(sub, n):
    """For any class A/B/C address, is the mask the classful network's ipaddress netmask?"""
    p = {"A": 8, "B": 16, "C": 24}[_class_by_bits(n)]
    want = str(ipaddress.IPv4Network((n, p), strict=False).netmask)
    expect(sub.default_mask(quad(n)), want, f"default_mask({quad(n)!r})")
