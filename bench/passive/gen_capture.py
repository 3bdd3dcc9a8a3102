#!/usr/bin/env python3
"""Writes a synthetic classic-pcap capture for the passive benchmark.

A deterministic mix between many hosts: TCP handshakes to HTTP (80/8080),
TLS (443/8443: ClientHello with SNI, ServerHello), SSH (22) and DNS over
UDP 53. Nothing is sent anywhere; this only writes a file.

usage: gen_capture.py OUT.pcap [--packets N] [--seed S]
Prints the number of packets written and the expected TCP services
("address:port" per line) to OUT.pcap.services.
"""
import argparse
import random
import struct
import sys

ETH_SRC = b"\x02\x00\x00\x00\x00\x01"
ETH_DST = b"\x02\x00\x00\x00\x00\x02"


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def frame(src, dst, proto, l4):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0, src, dst)
    return ETH_DST + ETH_SRC + b"\x08\x00" + ip + l4


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                      65535, 0, 0)
    return frame(src, dst, 6, hdr + payload)


def udp(src, dst, sport, dport, payload):
    return frame(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


def tls_record(body):
    return b"\x16\x03\x03" + struct.pack("!H", len(body)) + body


def handshake(t, body):
    return bytes([t]) + struct.pack("!I", len(body))[1:] + body


def ext(t, body):
    return struct.pack("!HH", t, len(body)) + body


def client_hello(sni, variant):
    ciphers = [0x1301, 0x1302, 0x1303, 0xC02F, 0xC030][: 3 + variant % 3]
    body = b"\x03\x03" + bytes(32) + b"\x00"
    body += struct.pack("!H", 2 * len(ciphers)) + b"".join(struct.pack("!H", c) for c in ciphers)
    body += b"\x01\x00"
    name = sni.encode()
    sn = b"\x00" + struct.pack("!H", len(name)) + name
    exts = ext(0, struct.pack("!H", len(sn)) + sn)
    exts += ext(10, b"\x00\x04\x00\x1d\x00\x17") + ext(11, b"\x01\x00")
    if variant % 2:
        exts += ext(43, b"\x04\x03\x04\x03\x03")
    body += struct.pack("!H", len(exts)) + exts
    return tls_record(handshake(1, body))


def server_hello(tls13):
    body = b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 0x1301 if tls13 else 0xC02F) + b"\x00"
    exts = ext(0xFF01, b"\x00") + (ext(43, b"\x03\x04") if tls13 else b"")
    body += struct.pack("!H", len(exts)) + exts
    msgs = handshake(2, body) + (b"" if tls13 else handshake(14, b""))
    return tls_record(msgs)


def dns_response(name, addr):
    m = struct.pack("!HHHHHH", random.getrandbits(16), 0x8180, 1, 1, 0, 0)
    for label in name.split("."):
        m += bytes([len(label)]) + label.encode()
    m += b"\x00" + struct.pack("!HH", 1, 1)
    m += struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + ip4(addr)
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, default=3_000_000)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    random.seed(args.seed)

    clients = [f"10.1.{i // 250}.{i % 250 + 1}" for i in range(4000)]
    servers = []  # (address, [ports])
    for i in range(400):
        addr = f"10.2.{i // 200}.{i % 200 + 1}"
        kind = i % 4
        ports = {0: [80], 1: [443], 2: [443, 80], 3: [22, 8080, 8443]}[kind]
        servers.append((addr, ports))
    resolvers = ["10.0.0.53", "10.0.1.53"]
    user_agents = [b"Mozilla/5.0 (X11; Linux x86_64)", b"curl/8.4.0", b"python-requests/2.31"]
    titles = [b"Portal", b"OA System", b"Library", b"Mail"]
    services = set()

    out = open(args.out, "wb", buffering=1 << 20)
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    t = 1_700_000_000 * 1_000_000
    n = 0
    pack_hdr = struct.Struct("<IIII").pack
    buf = []

    def emit(pkt):
        nonlocal t, n
        t += 7
        buf.append(pack_hdr(t // 1_000_000, t % 1_000_000, len(pkt), len(pkt)))
        buf.append(pkt)
        n += 1

    while n < args.packets:
        c = random.choice(clients)
        si = random.randrange(len(servers))
        s, ports = servers[si]
        if random.random() < 0.2:
            r = random.choice(resolvers)
            sp = random.randint(1024, 65000)
            name = f"host{si}.campus.example.edu"  # each name has one address, as in real zones
            q = dns_response(name, s)
            qlen = 12 + len(name) + 2 + 4
            query = q[:2] + b"\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + q[12:qlen]
            emit(udp(ip4(c), ip4(r), sp, 53, query))
            emit(udp(ip4(r), ip4(c), 53, sp, q))
            continue
        port = random.choice(ports)
        services.add(f"{s}:{port}")
        cb, sb = ip4(c), ip4(s)
        cp = random.randint(1024, 65000)
        cs, ss = random.getrandbits(32), random.getrandbits(32)
        emit(tcp(cb, sb, cp, port, cs, 0, 0x02))
        emit(tcp(sb, cb, port, cp, ss, cs + 1, 0x12))
        cs += 1
        ss += 1
        emit(tcp(cb, sb, cp, port, cs, ss, 0x10))
        if port in (80, 8080):
            req = (b"GET /index.html HTTP/1.1\r\nHost: " + s.encode() + b"\r\nUser-Agent: " +
                   random.choice(user_agents) + b"\r\n\r\n")
            body = b"<html><title>" + random.choice(titles) + b"</title></html>"
            resp = (b"HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Length: " +
                    str(len(body)).encode() + b"\r\n\r\n" + body)
            cdata, sdata = req, resp
        elif port in (443, 8443):
            cdata = client_hello(f"www{port}.campus.example.edu", random.randint(0, 5))
            sdata = server_hello(random.random() < 0.5)
        else:
            cdata, sdata = b"SSH-2.0-OpenSSH_9.6\r\n", b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"
        emit(tcp(cb, sb, cp, port, cs, ss, 0x18, cdata))
        cs += len(cdata)
        emit(tcp(sb, cb, port, cp, ss, cs, 0x18, sdata))
        ss += len(sdata)
        emit(tcp(cb, sb, cp, port, cs, ss, 0x11))
        emit(tcp(sb, cb, port, cp, ss, cs + 1, 0x11))
        if len(buf) > 20000:
            out.write(b"".join(buf))
            buf.clear()
    out.write(b"".join(buf))
    out.close()
    with open(args.out + ".services", "w") as f:
        f.write("\n".join(sorted(services)) + "\n")
    print(n)


if __name__ == "__main__":
    sys.exit(main())
