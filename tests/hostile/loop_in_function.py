# expect: add=3 mul=0 neg=3
# message: mul: stopped after 3 s
def add(a, b):
    return a + b


def mul(a, b):
    while True:
        pass


def neg(a):
    return -a
