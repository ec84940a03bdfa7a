# expect: add=3 mul=4 neg=3
# Fills its folder with links, a FIFO and dangling links named like the files a
# grader might read or write (results, figures, logs, configuration).
import os

NAMES = ("results.json", "pytest.ini", ".grading-config.json", ".child.log", ".hang-traceback.txt",
         "000.png", ".figures", "scores.csv")
TARGETS = ("/etc/passwd", "/nonexistent/dangling", "../../..", "/dev/zero", "/proc/self/fd/1")
for i, name in enumerate(NAMES):
    for folder in (".", os.environ.get("HOME", ".")):
        path = os.path.join(folder, name)
        try:
            if i % 3 == 0:
                os.mkfifo(path)
            else:
                os.symlink(TARGETS[i % len(TARGETS)], path)
        except OSError:
            pass


def add(a, b):
    return a + b


def mul(a, b):
    return a * b


def neg(a):
    return -a
