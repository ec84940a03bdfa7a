# expect: add=0 mul=0 neg=0
# message: add: while your code was being loaded
def add(a, b):
    return a + b


while True:
    pass
