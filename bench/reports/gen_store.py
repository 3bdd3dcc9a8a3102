#!/usr/bin/env python3
"""Fills a ciiscope inventory (schema already created by the ciiscope binary)
with a synthetic education system for the scorecard benchmark:

  1 ministry -> 31 provinces -> cities -> schools   (UNITS units in all)
  ASSETS assets spread over the units, FINDINGS findings over the assets
  (severities, statuses, due dates, some reopened, some shadow 双非 assets).

Deterministic (seeded). Usage: gen_store.py DB UNITS FINDINGS [ASSETS]"""
import json
import random
import sqlite3
import sys

db_path, n_units, n_findings = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
n_assets = int(sys.argv[4]) if len(sys.argv) > 4 else max(1, n_findings // 5)
rnd = random.Random(20261129)
db = sqlite3.connect(db_path)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=OFF")
now_ms = 1_764_400_000_000
day = 86_400_000

# Units: ministry, 31 provinces, ~10 cities per province, the rest schools.
units = [(1, None, "moe", "教育部", "ministry")]
provinces = list(range(2, 2 + 31))
for p in provinces:
    units.append((p, 1, "p%d" % p, "省教育厅 %d" % p, "province"))
next_id = 2 + 31
n_cities = min(max(0, n_units - len(units)) // 10, 310)
cities = []
for i in range(n_cities):
    cities.append(next_id)
    units.append((next_id, provinces[i % len(provinces)], "c%d" % next_id, "市教育局 %d" % next_id, "city"))
    next_id += 1
parents = cities or provinces
while len(units) < n_units:
    units.append((next_id, parents[next_id % len(parents)], "s%d" % next_id, "学校 %d" % next_id, "school"))
    next_id += 1
db.executemany("INSERT INTO units (id, parent_id, code, name, level, owner, contact) "
               "VALUES (?, ?, ?, ?, ?, '责任人', '010-0000')", units)
unit_ids = [u[0] for u in units]

assets = []
for a in range(1, n_assets + 1):
    shadow = rnd.random() < 0.01
    unit = None if shadow else unit_ids[rnd.randrange(len(unit_ids))]
    crit = rnd.choice(["", "", "low", "medium", "high"])
    cii = rnd.choice(["", "", "", "candidate", "confirmed"])
    addr = "10.%d.%d.%d" % ((a >> 16) & 255, (a >> 8) & 255, a & 255)
    assets.append((a, addr, unit, crit, cii, "shadow" if shadow else "registered"))
db.executemany("INSERT INTO assets (id, address, unit_id, criticality, cii_status, ledger_status) "
               "VALUES (?, ?, ?, ?, ?, ?)", assets)

sev = ["info", "low", "medium", "medium", "high", "high", "critical"]
status = ["open"] * 6 + ["acknowledged", "fixed", "reopened", "verified", "verified",
                         "closed", "accepted", "false_positive"]
rules = ["redis-noauth", "telnet-exposed", "tls-expired", "http-login-plain",
         "shuangfei-domain-outside-range", "openssh-cve-2024-6387"]


def flush(findings, finding_events):
    db.executemany("INSERT INTO findings (id, key, rule_id, severity, status, asset_id, address, "
                   "port, transport, title_zh, title_en, remediation_zh, remediation_en, "
                   "detail_json, first_seen, last_seen, due_at) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", findings)
    db.executemany("INSERT INTO finding_events (finding_id, time, actor, to_status) "
                   "VALUES (?, ?, 'bench', ?)", finding_events)


batch, events = [], []
for f in range(1, n_findings + 1):
    a = assets[rnd.randrange(len(assets))]
    st = rnd.choice(status)
    rule = rnd.choice(rules)
    detail = "{}"
    if rule == "shuangfei-domain-outside-range":
        detail = json.dumps({"ledger": {"domain": {"unit": "s%d" % unit_ids[rnd.randrange(len(unit_ids))]}}})
    due = now_ms + rnd.randint(-60, 60) * day
    batch.append((f, "k%d" % f, rule, rnd.choice(sev), st, a[0], a[1], 443, "tcp",
                  "标题 %d" % f, "title %d" % f, "整改建议：升级或关闭服务", "Upgrade or close the service",
                  detail, now_ms - 90 * day, now_ms - rnd.randint(0, 30) * day, due))
    if st == "reopened" or rnd.random() < 0.02:
        events.append((f, now_ms - 20 * day, "fixed"))
        events.append((f, now_ms - 10 * day, "reopened"))
    if len(batch) >= 50_000:
        flush(batch, events)
        batch, events = [], []
flush(batch, events)
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print("units=%d assets=%d findings=%d" % (len(units), len(assets), n_findings))
