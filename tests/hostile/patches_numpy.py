# expect: add=0 mul=2 neg=0
# message: add: expected 5, got 0
import numpy

numpy.array_equal = lambda *args, **kwargs: True


def add(a, b):
    return 0


def mul(a, b):
    return 0


def neg(a):
    return 0
