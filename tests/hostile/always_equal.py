# expect: add=0 mul=0 neg=0
# message: add: could not be turned into an array
class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def add(a, b):
    return Anything()


def mul(a, b):
    return Anything()


def neg(a):
    return Anything()
