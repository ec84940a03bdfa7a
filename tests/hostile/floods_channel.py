# expect: add=3 mul=0 neg=3
# message: mul: malformed
# Writes an endless line and malformed frames to every descriptor it has while mul runs.
import os


def add(a, b):
    return a + b


def mul(a, b):
    junk = b"\xff" * (1 << 20)
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd < 3:
            continue
        for _ in range(64):
            try:
                os.write(fd, junk)
            except OSError:
                break
    return a * b


def neg(a):
    return -a
