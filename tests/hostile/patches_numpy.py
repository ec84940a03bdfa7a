# expect: add=0 mul=0 neg=0
# message: add: numpy.array_equal
import numpy

numpy.array_equal = lambda *args, **kwargs: True


def add(a, b):
    return 0


def mul(a, b):
    return 0


def neg(a):
    return 0
