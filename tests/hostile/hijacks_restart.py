# expect: add=3 mul=0 neg=0
# message: mul: exited with code 3
# message: neg: expected -7, got 0
# Plants modules where a restarted grading process might import them from (its
# working folder, HOME), then crashes, so that the next start runs the planted code.
# Each planted module would exit at once: neg's feedback proves it never ran.
import os

PLANT = "import os\nos._exit(0)\n"
for folder in (".", os.environ.get("HOME", "."), os.environ.get("TMPDIR", ".")):
    for name in ("runner.py", "protocol.py", "numpy.py", "sitecustomize.py", "usercustomize.py",
                 "autograder/__init__.py", "autograder/engine/__init__.py",
                 "autograder/engine/runner.py", "autograder/harness.py"):
        path = os.path.join(folder, name)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as fh:
                fh.write(PLANT)
        except OSError:
            pass


def add(a, b):
    return a + b


def mul(a, b):
    os._exit(3)


def neg(a):
    return 0
