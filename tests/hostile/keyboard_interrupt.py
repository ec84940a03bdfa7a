# expect: add=3 mul=0 neg=3
# message: mul: KeyboardInterrupt
def add(a, b):
    return a + b


def mul(a, b):
    raise KeyboardInterrupt


def neg(a):
    return -a
