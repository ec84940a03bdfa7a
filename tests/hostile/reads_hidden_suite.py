# expect: add=3 mul=0 neg=3
# message: mul: ValueError: nothing found
# requires: mount-namespace
# Looks for the hidden suite and the reference solutions everywhere it can think of
# and sends what it finds back in an error message.
import glob
import os


def add(a, b):
    return a + b


def mul(a, b):
    import numpy

    site = os.path.dirname(os.path.dirname(numpy.__file__))
    stolen = []
    patterns = [f"{root}/{rest}" for root in (site, "/work/*", "/tmp", "/tmp/*", "/root", "/home/*")
                for rest in ("autograder/suites/*/hidden/*.py", "tests/fixtures/*/hidden/*.py",
                             "solutions/*/*.ipynb", "*/hidden/*.py")]
    for pattern in patterns:
        for path in glob.glob(pattern):
            try:
                stolen.append(open(path).read())
            except OSError:
                pass
    raise ValueError("".join(stolen) or "nothing found")


def neg(a):
    return -a
