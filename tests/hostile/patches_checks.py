# expect: add=3 mul=0 neg=0
# message: neg: autograder.checks.expect_equal
def add(a, b):
    return a + b


def mul(a, b):
    import autograder.checks

    autograder.checks.expect_equal = lambda *args, **kwargs: None
    return 0


def neg(a):
    return 0
