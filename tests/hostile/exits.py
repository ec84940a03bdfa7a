# expect: add=0 mul=0 neg=3
# message: add: exited with code 0
# message: mul: SystemExit
import os
import sys


def add(a, b):
    os._exit(0)


def mul(a, b):
    sys.exit(3)


def neg(a):
    return -a
