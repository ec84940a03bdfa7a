# expect: add=3 mul=0 neg=0
# Prints fake pytest summaries and fake grader events instead of computing.
import json
import os

FAKE = json.dumps({"event": "result", "nodeid": "x", "outcome": "passed"})


def add(a, b):
    return a + b


def mul(a, b):
    print("========== 5 passed in 0.01s ==========")
    print(json.dumps({"score": 10, "max_score": 10, "tests": []}))
    for fd in range(3, 20):
        try:
            os.write(fd, (FAKE + "\n").encode())
        except OSError:
            pass
    return -1


def neg(a):
    return 1
