# expect: add=3 mul=0 neg=3
# message: mul: File too large
import sys


def add(a, b):
    return a + b


def mul(a, b):
    chunk = "spam " * 200_000
    while True:
        sys.stdout.write(chunk)


def neg(a):
    return -a
