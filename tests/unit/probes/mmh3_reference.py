#!/usr/bin/env python3
"""Reference values for favicon_test.cpp: MurmurHash3 x86_32 written out in
Python (the mmh3 module may not be installed), and the favicon convention
of Shodan/FOFA: mmh3.hash(base64.encodebytes(icon)) as a signed int."""
import base64
import hashlib


def mmh3_32(data: bytes, seed: int = 0) -> int:
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & 0xFFFFFFFF
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & 0xFFFFFFFF
    n = len(data)
    for i in range(0, n - n % 4, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = rotl((k * c1) & 0xFFFFFFFF, 15)
        h ^= (k * c2) & 0xFFFFFFFF
        h = (rotl(h, 13) * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[n - n % 4:]
    if tail:
        k = int.from_bytes(tail, "little")
        k = rotl((k * c1) & 0xFFFFFFFF, 15)
        h ^= (k * c2) & 0xFFFFFFFF
    h ^= n
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def icon_bytes(n: int) -> bytes:
    """The synthetic icon the C++ test builds: byte i is (i * 7 + 3) & 0xff."""
    return bytes((i * 7 + 3) & 0xFF for i in range(n))


if __name__ == "__main__":
    for s in [b"", b"hello", b"The quick brown fox jumps over the lazy dog"]:
        print(repr(s), mmh3_32(s), mmh3_32(s) & 0xFFFFFFFF)
    print("seed 42 hello", mmh3_32(b"hello", 42))
    for n in [1, 57, 58, 1000, 5430]:
        icon = icon_bytes(n)
        print("icon", n, mmh3_32(base64.encodebytes(icon)), hashlib.md5(icon).hexdigest())
