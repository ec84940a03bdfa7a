# expect: add=3 mul=0 neg=3
# message: mul: ValueError: contained
# requires: pid-namespace
# Tries to undo the sandbox from the inside: looks for capabilities it kept, then tries
# to unmount or remount the read-only file system, to make namespaces of its own (a
# user namespace would give it capabilities there) and to leave its PID namespace.
import ctypes
import os

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000
MS_REMOUNT, MS_BIND, MNT_DETACH = 32, 4096, 2


def add(a, b):
    return a + b


def mul(a, b):
    escaped = []
    for line in open("/proc/self/status").read().splitlines():
        key, _, value = line.partition(":")
        if key.startswith("Cap") and int(value, 16):
            escaped.append(line)
        if key == "NoNewPrivs" and value.strip() != "1":
            escaped.append(line)
    libc = ctypes.CDLL(None, use_errno=True)
    attempts = {
        "umount /": lambda: libc.umount2(b"/", MNT_DETACH),
        "remount / writable": lambda: libc.mount(None, b"/", None, MS_REMOUNT | MS_BIND, None),
        "mount a tmpfs": lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None),
        "a user namespace": lambda: libc.unshare(CLONE_NEWUSER),
        "a mount namespace": lambda: libc.unshare(CLONE_NEWNS),
        "a PID namespace": lambda: libc.unshare(CLONE_NEWPID),
        "a network namespace": lambda: libc.unshare(CLONE_NEWNET),
    }
    escaped += [what for what, attempt in attempts.items() if attempt() == 0]
    if os.getpid() != 1:
        escaped.append(f"runs as PID {os.getpid()}, not the first of its own namespace")
    raise ValueError("escaped: " + ", ".join(escaped) if escaped else "contained")


def neg(a):
    return -a
