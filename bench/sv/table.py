#!/usr/bin/env python3
"""Prints the bench/sv table: truth (dpkg-query) vs what ciiscope and nmap -sV named.

A product counts as named when the expected product word appears in the tool's
product (case-insensitive; nmap calls MariaDB "MySQL", which counts). A
version counts when the upstream version from dpkg (epoch, Debian revision and
+dfsg suffix removed) equals the tool's version or appears in it as a token
(nmap puts MariaDB's "5.5.5-10.11.6-MariaDB-…" in its version field).
"""
import re
import sys
import xml.etree.ElementTree as ET

PRODUCT_WORDS = {
    "nginx": ["nginx"], "lighttpd": ["lighttpd"], "openssh": ["openssh"],
    "vsftpd": ["vsftpd"], "exim": ["exim"], "dovecot-imap": ["dovecot"],
    "dovecot-pop3": ["dovecot"], "redis": ["redis"], "mariadb": ["mariadb", "mysql"],
    "postgresql": ["postgres"], "memcached": ["memcached"],
    "snmpd": ["net-snmp"], "ntpsec": ["ntpsec"], "unbound": ["unbound"],
}


def upstream(debver):
    v = debver.split(":", 1)[-1]
    v = v.rsplit("-", 1)[0] if "-" in v else v
    return re.sub(r"[+~](dfsg|ds|really).*$", "", v)


def version_ok(truth, got):
    if not truth or not got:
        return False
    if got == truth:
        return True
    return re.search(r"(^|[^0-9.])" + re.escape(truth) + r"($|[^0-9])", got) is not None


def load_ciiscope(path):
    out = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 5:
            continue
        addr, port, name, product, version = parts[:5]
        out[(addr, port)] = (name, product, version)
    return out


def load_nmap(path):
    out = {}
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return out
    for host in root.iter("host"):
        addr = host.find("address").get("addr")
        for p in host.iter("port"):
            svc = p.find("service")
            st = p.find("state")
            if st is None or st.get("state") != "open":
                continue
            if svc is None:
                out[(addr, p.get("portid"))] = ("", "", "")
            else:
                out[(addr, p.get("portid"))] = (svc.get("name", ""), svc.get("product", ""),
                                                svc.get("version", ""))
    return out


def main():
    truth_path, cii_path, nmap_path, t0, t1, t2 = sys.argv[1:7]
    cii, nm = load_ciiscope(cii_path), load_nmap(nmap_path)
    rows = []
    score = {"ciiscope": [0, 0], "nmap": [0, 0]}
    behind = []
    for line in open(truth_path, encoding="utf-8"):
        name, pkg, addr, port, debver = line.rstrip("\n").split("\t")
        key = (addr, port)
        if key not in cii and key not in nm:
            continue
        want = upstream(debver)
        res = {}
        for tool, table in (("ciiscope", cii), ("nmap", nm)):
            svc, product, version = table.get(key, ("", "", ""))
            pok = any(w in product.lower() for w in PRODUCT_WORDS[name])
            vok = version_ok(want, version)
            score[tool][0] += pok
            score[tool][1] += vok
            res[tool] = (svc, product, version, pok, vok)
        c, n = res["ciiscope"], res["nmap"]
        if (n[3] and not c[3]) or (n[4] and not c[4]):
            behind.append(name)
        rows.append((name, f"{addr}:{port}", f"{pkg} {want}", c, n))

    def cell(r):
        mark = ("P" if r[3] else "-") + ("V" if r[4] else "-")
        text = " ".join(x for x in r[:3] if x) or "(nothing)"
        return f"[{mark}] {text}"

    w = [max(len(r[i]) for r in rows + [("service", "address", "truth (dpkg)")]) for i in range(3)]
    wc = max(len(cell(r[3])) for r in rows)
    print()
    print(f"{'service':<{w[0]}}  {'address':<{w[1]}}  {'truth (dpkg)':<{w[2]}}  "
          f"{'ciiscope':<{wc}}  nmap -sV")
    for r in rows:
        print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {cell(r[3]):<{wc}}  {cell(r[4])}")
    total = len(rows)
    print()
    print("[P] product named, [V] upstream version named")
    for tool in ("ciiscope", "nmap"):
        print(f"{tool:<9} products {score[tool][0]}/{total}  versions {score[tool][1]}/{total}")
    tc, tn = float(t1) - float(t0), float(t2) - float(t1)
    print(f"time      ciiscope {tc:.2f} s (scan + assess)   nmap -sV {tn:.2f} s   "
          f"ratio nmap/ciiscope {tn / tc:.1f}x")
    if behind:
        print("ciiscope misses what nmap names on: " + ", ".join(behind))
    else:
        print("ciiscope names product and version wherever nmap does")


if __name__ == "__main__":
    main()
