#!/usr/bin/env python3
"""Background traffic for the local stack (`scripts/stack load [--seconds N]`).

Loopback only, bounded in time (--seconds, default 600) and in rate:
- Redis standalone (6390) and Redis Cluster (7001-7006): cache-aside GET/SET on a skewed key
  space, so the hit ratio sits around 80-90 % with misses filled by SET ... EX.
- MariaDB source (3316): order INSERTs, and now and then a product price/stock UPDATE.
- OpenSearch (9201): a trickle of product updates into the `products` alias.
- PostgreSQL (5442): one COPY-like row into sys_load_history per minute.
- moto (5055): one fresh datapoint per live CloudWatch metric per minute.

Writes its own pid to --pidfile; stops by itself at the deadline, on SIGTERM, or when that
file no longer names it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request

import pymysql
import redis
from redis.cluster import ClusterNode, RedisCluster

HERE = os.path.dirname(os.path.abspath(__file__))
STOP = False


def on_term(signum, frame):  # noqa: ARG001
    global STOP
    STOP = True


def log(msg: str) -> None:
    print(f"{dt.datetime.now().isoformat(timespec='seconds')} loadgen: {msg}", flush=True)


class Cache:
    """Cache-aside traffic against one Redis client (standalone or cluster)."""

    def __init__(self, name, client, keyspace, rng):
        self.name, self.r, self.keyspace, self.rng = name, client, keyspace, rng
        self.gets = self.hits = 0

    def key(self) -> str:
        # skewed: most requests go to a hot 10 % of the key space
        if self.rng.random() < 0.85:
            n = self.rng.randrange(self.keyspace // 10)
        else:
            n = self.rng.randrange(self.keyspace)
        return f"session:{n}"

    def warm(self) -> None:
        """Fill most of the hot set first, as a cache in service would have it."""
        hot = self.keyspace // 10
        for start in range(0, hot, 500):
            pipe = self.r.pipeline(transaction=False)
            for n in range(start, min(start + 500, hot)):
                if self.rng.random() < 0.9:
                    pipe.set(f"session:{n}", "x" * self.rng.randint(200, 1200), ex=self.rng.randint(300, 900))
            pipe.execute()

    def step(self, batch: int) -> None:
        keys = [self.key() for _ in range(batch)]
        pipe = self.r.pipeline(transaction=False)
        for k in keys:
            pipe.get(k)
        values = pipe.execute()
        misses = [k for k, v in zip(keys, values) if v is None]
        self.gets += len(keys)
        self.hits += len(keys) - len(misses)
        if misses:
            payload = "x" * self.rng.randint(200, 1200)
            pipe = self.r.pipeline(transaction=False)
            for k in misses:
                pipe.set(k, payload, ex=self.rng.randint(120, 900))
            pipe.execute()


def http_json(method: str, url: str, body=None, ndjson: str | None = None):
    data = None
    headers = {}
    if ndjson is not None:
        data = ndjson.encode()
        headers["Content-Type"] = "application/x-ndjson"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--pidfile", default="")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    seconds = max(1, min(args.seconds, 24 * 3600))
    deadline = time.monotonic() + seconds
    if args.pidfile:
        tmp = f"{args.pidfile}.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, args.pidfile)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    def still_wanted() -> bool:
        if STOP or time.monotonic() >= deadline:
            return False
        if not args.pidfile:
            return True
        try:
            with open(args.pidfile) as f:
                return f.read().strip() == str(os.getpid())
        except OSError:
            return False

    rng = random.Random()
    redis_port = int(os.environ.get("OPSDECK_REDIS_PORT", "6390"))
    caches = [
        Cache("standalone", redis.Redis(host="127.0.0.1", port=redis_port, socket_timeout=5), 60000, rng),
        Cache(
            "cluster",
            RedisCluster(
                startup_nodes=[
                    ClusterNode("127.0.0.1", int(p))
                    for p in os.environ.get("OPSDECK_REDIS_CLUSTER_PORTS", "7001,7002").split(",")
                ],
                socket_timeout=5,
            ),
            40000,
            rng,
        ),
    ]
    for c in caches:
        try:
            c.warm()
        except redis.RedisError as e:
            log(f"redis {c.name} warm-up: {e}")
    db = None
    mysql_port = int(os.environ.get("OPSDECK_MYSQL_PORT", "3316"))
    os_url = os.environ.get("OPSDECK_OPENSEARCH_URL", "http://127.0.0.1:9201")
    pg_port = os.environ.get("OPSDECK_PG_PORT", "5442")
    psql = os.environ.get("OPSDECK_PSQL", "psql")
    log(f"running for {seconds}s")

    last_minute = 0.0
    last_os = 0.0
    last_report = time.monotonic()
    orders = updates = os_docs = loads = 0
    while still_wanted():
        tick = time.monotonic()
        # ---- redis: ~2 x 25 GETs per 100 ms tick
        for c in caches:
            try:
                c.step(25)
            except redis.RedisError as e:
                log(f"redis {c.name}: {e}")
        # ---- mariadb: an order per tick, a product update every ~10 ticks
        try:
            if db is None:
                # an application account (scripts/stack load creates it): read_only stops it on a
                # frozen source, as it stops the real application during a cutover
                db = pymysql.connect(
                    host="127.0.0.1", port=mysql_port, user="opsdeck_load", password="load", autocommit=True, connect_timeout=5
                )
            with db.cursor() as cur:
                cur.execute(
                    "INSERT INTO shop.orders (user_id, total) VALUES (%s, %s)",
                    (rng.randint(1, 500000), round(rng.uniform(5, 250), 2)),
                )
                orders += 1
                if rng.random() < 0.1:
                    cur.execute(
                        "UPDATE shop.products SET stock = GREATEST(stock - 1, 0), price = price * %s WHERE id = %s",
                        (rng.choice([1, 1, 1, 0.95, 1.05]), rng.randint(1, 5000)),
                    )
                    updates += 1
        except pymysql.MySQLError as e:
            log(f"mariadb: {e}")
            db = None
        # ---- opensearch: a few product updates every 2 s
        if tick - last_os >= 2:
            last_os = tick
            lines = []
            now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            for _ in range(3):
                pid = rng.randint(1, 5000)
                lines.append(json.dumps({"update": {"_index": "products", "_id": str(pid)}}))
                lines.append(json.dumps({"doc": {"price": round(rng.uniform(4.99, 99.99), 2), "updated_at": now}}))
            try:
                http_json("POST", f"{os_url}/_bulk", ndjson="\n".join(lines) + "\n")
                os_docs += 3
            except Exception as e:  # noqa: BLE001
                log(f"opensearch: {e}")
        # ---- once a minute: a load run into sys_load_history, fresh CloudWatch datapoints
        if tick - last_minute >= 60:
            last_minute = tick
            table = rng.choice(["orders", "customers", "fact_clicks"])
            secs = {"orders": 95, "customers": 25, "fact_clicks": 420}[table] * rng.uniform(0.8, 1.2)
            sql = (
                "INSERT INTO sys_load_history SELECT 100, q, q*3+7, 1073815000 + (q % 5000)::int, 'analytics', 'completed', "
                f"'{table}', (now() at time zone 'utc') - make_interval(secs => {secs:.3f}), now() at time zone 'utc', "
                f"{int(secs * 1e6)}, 's3://streamshop-logs/exports/{table}/live/', 'csv', {rng.randint(1000, 50000)}, "
                f"{rng.randint(10**6, 10**8)}, 4, {rng.randint(10**6, 10**7)}, 4, {rng.randint(10**6, 10**7)}, 0, 0 "
                "FROM (SELECT coalesce(max(query_id), 1000000) + 1 AS q FROM sys_load_history) s"
            )
            try:
                subprocess.run(
                    [psql, "-h", "127.0.0.1", "-p", pg_port, "-U", "postgres", "-d", "analytics", "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                    check=True, timeout=20, capture_output=True,
                )
                loads += 1
            except Exception as e:  # noqa: BLE001
                log(f"postgres: {e}")
            try:
                subprocess.run(
                    [args.python, os.path.join(HERE, "seed_aws.py"), "--refresh"], check=True, timeout=60, capture_output=True
                )
            except Exception as e:  # noqa: BLE001
                log(f"moto: {e}")
        if tick - last_report >= 30:
            last_report = tick
            ratios = ", ".join(f"{c.name} hit {c.hits / max(c.gets, 1):.0%} of {c.gets}" for c in caches)
            log(f"{ratios}; orders {orders}, product updates {updates}, os docs {os_docs}, load runs {loads}")
        elapsed = time.monotonic() - tick
        time.sleep(max(0.0, 0.1 - elapsed))
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
