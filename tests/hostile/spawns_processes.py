# expect: add=3 mul=4 neg=3
# Starts long-lived processes, one detached in its own session; none may survive grading.
import subprocess
import sys

CHILD = "import time; time.sleep(600)  # neurograde-hostile-sleeper"


def add(a, b):
    subprocess.Popen([sys.executable, "-c", CHILD])
    subprocess.Popen([sys.executable, "-c", CHILD], start_new_session=True)
    return a + b


def mul(a, b):
    return a * b


def neg(a):
    return -a
