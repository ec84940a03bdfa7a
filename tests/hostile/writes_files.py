# expect: add=3 mul=4 neg=3
# Tries to plant result files everywhere it can think of; the sandbox is read-only
# outside its own directory, so every attempt fails and the answers stay honest.
import os

TARGETS = ["/tmp/results.json", "/autograder/results/results.json",
           os.path.expanduser("~/../results.json"), "../results.json",
           "/dev/shm/results.json"]


def add(a, b):
    for target in TARGETS:
        try:
            with open(target, "w") as fh:
                fh.write('{"score": 10}')
        except OSError:
            pass
    return a + b


def mul(a, b):
    return a * b


def neg(a):
    return -a
