# expect: add=3 mul=4 neg=3
# The child's environment is clean: no variable of the grader leaks into it.
import os

LEAKS = [k for k in os.environ if k.startswith(("GITHUB", "CI", "AWS", "SSH", "GIT"))]


def add(a, b):
    return a + b + len(LEAKS)


def mul(a, b):
    return a * b


def neg(a):
    return -a
