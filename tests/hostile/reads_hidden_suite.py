# expect: add=3 mul=0 neg=3
# message: mul: withheld
import glob
import os

import autograder


def add(a, b):
    return a + b


def mul(a, b):
    root = os.path.dirname(autograder.__file__)
    stolen = "".join(open(p).read() for p in glob.glob(root + "/../tests/fixtures/**/*.py",
                                                       recursive=True))
    raise ValueError(stolen)


def neg(a):
    return -a
