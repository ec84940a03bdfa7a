# expect: add=0 mul=0 neg=0
# message: add: expected 5, got 1
# A profile and trace hook that looks for the check's `expected` value in any frame
# it can see, and returns it.
import sys

SEEN = {}


def _hook(frame, event, arg):
    while frame is not None:
        for key in ("expected", "want", "wanted"):
            if key in frame.f_locals:
                SEEN["value"] = frame.f_locals[key]
        frame = frame.f_back
    return _hook


sys.setprofile(_hook)
sys.settrace(_hook)


def add(a, b):
    return SEEN.get("value", 1)


def mul(a, b):
    return SEEN.get("value", 1)


def neg(a):
    return SEEN.get("value", 1)
