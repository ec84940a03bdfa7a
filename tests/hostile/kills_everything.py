# expect: add=3 mul=0 neg=3
# message: mul: No such process
# requires: pid-namespace
import os
import signal


def add(a, b):
    return a + b


def mul(a, b):
    os.kill(-1, signal.SIGKILL)


def neg(a):
    return -a
