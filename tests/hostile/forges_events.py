# expect: add=0 mul=0 neg=0
# message: add: malformed data
# Writes forged "passed" events and results to every descriptor it has, and prints
# fake results, hoping the grader reads them instead of judging.
import json
import os

FORGED = [json.dumps({"event": e, "nodeid": n, "outcome": "passed", "duration": 0.0}) + "\n"
          for n in ("public/test_public.py::test_add", "hidden/test_hidden.py::test_mul")
          for e in ("start", "result")]
os.environ["PYTEST_CURRENT_TEST"] = "hidden/test_hidden.py::test_mul (call)"


def _forge():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        for line in FORGED:
            try:
                os.write(fd, line.encode())
            except OSError:
                pass
    print('{"score": 10, "max_score": 10, "tests": []}')


def add(a, b):
    _forge()
    return 1


def mul(a, b):
    _forge()
    return 1


def neg(a):
    _forge()
    return 1
