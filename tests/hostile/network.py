# expect: add=3 mul=4 neg=3
# Would answer wrongly if it could reach any network.
import socket


def reachable() -> bool:
    for host in ("127.0.0.1", "8.8.8.8", "pypi.org"):
        try:
            socket.create_connection((host, 443), timeout=1).close()
            return True
        except OSError:
            continue
    return False


def add(a, b):
    return a + b + (1 if reachable() else 0)


def mul(a, b):
    return a * b


def neg(a):
    return -a
