# expect: add=3 mul=4 neg=0
# message: neg: MB of memory
def add(a, b):
    return a + b


def mul(a, b):
    return a * b


def neg(a):
    hog = []
    while True:
        hog.append(bytearray(b"x" * 50_000_000))
