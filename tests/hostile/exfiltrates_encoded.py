# expect: add=3 mul=0 neg=3
# message: mul: ValueError: nothing found
# requires: mount-namespace
# Looks for any file that reads like a hidden test and sends it back base64-encoded
# through a visible test's message.
import base64
import os
import time


def add(a, b):
    return a + b


def mul(a, b):
    found = []
    stop = time.monotonic() + 1.5  # the test's limit is 3 s
    for root in ("/", os.path.expanduser("~")):
        for dirpath, dirnames, filenames in os.walk(root):
            if time.monotonic() > stop:
                break
            dirnames[:] = [d for d in dirnames if d not in ("proc", "sys", "dev", "usr", "lib")]
            for name in filenames:
                if name.startswith("test_") and name.endswith(".py"):
                    try:
                        text = open(os.path.join(dirpath, name)).read()
                    except OSError:
                        continue
                    if "@graded" in text:
                        found.append(base64.b64encode(text.encode()).decode())
    raise ValueError(" ".join(found) or "nothing found")


def neg(a):
    return -a
