#!/usr/bin/env python3
"""pt-heartbeat-style writer for the local MariaDB source (started by `scripts/stack up`).

Every second: REPLACE INTO opsdeck.heartbeat (server_id, ts, file, position) with the
source's current binlog coordinates, and keep the Aurora fixture rows of the writer and
the healthy reader fresh (catalog-3 is left stale on purpose). Replication carries both to
the replicas, so heartbeat age on 3317/3318 is real replication lag.

Writes its own pid to $HB_PIDFILE and stops by itself when that file no longer names it
(scripts/stack down removes it, then signals the pid).
"""

from __future__ import annotations

import os
import random
import sys
import time

import pymysql

HOST = os.environ.get("HB_HOST", "127.0.0.1")
PORT = int(os.environ.get("HB_PORT", "3316"))
PIDFILE = os.environ.get("HB_PIDFILE", "")


def still_wanted() -> bool:
    if not PIDFILE:
        return True
    try:
        with open(PIDFILE) as f:
            return f.read().strip() == str(os.getpid())
    except OSError:
        return False


def connect():
    return pymysql.connect(host=HOST, port=PORT, user="root", password="", autocommit=True, connect_timeout=5)


def main() -> int:
    if PIDFILE:
        tmp = f"{PIDFILE}.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, PIDFILE)
    conn = None
    rng = random.Random()
    while still_wanted():
        try:
            if conn is None:
                conn = connect()
            with conn.cursor() as cur:
                cur.execute("SHOW MASTER STATUS")
                row = cur.fetchone()
                file, pos = (row[0], row[1]) if row else (None, None)
                cur.execute(
                    "REPLACE INTO opsdeck.heartbeat (server_id, ts, file, position) VALUES (@@server_id, NOW(6), %s, %s)",
                    (file, pos),
                )
                cur.execute(
                    "UPDATE aurora_fixture.replica_host_status SET LAST_UPDATE_TIMESTAMP = NOW(6),"
                    " CPU = %s WHERE SERVER_ID = 'catalog-1'",
                    (round(42 + rng.uniform(-6, 9), 1),),
                )
                lag = round(15 + rng.uniform(0, 12), 1)
                cur.execute(
                    "UPDATE aurora_fixture.replica_host_status SET LAST_UPDATE_TIMESTAMP = NOW(6),"
                    " REPLICA_LAG_IN_MILLISECONDS = %s, MASTER_SLAVE_LATENCY_IN_MICROSECONDS = %s,"
                    " CPU = %s WHERE SERVER_ID = 'catalog-2'",
                    (lag, int(lag * 1000), round(28 + rng.uniform(-4, 6), 1)),
                )
        except pymysql.MySQLError as e:
            print(f"heartbeat: {e}", file=sys.stderr, flush=True)
            try:
                if conn is not None:
                    conn.close()
            except Exception:  # noqa: BLE001
                pass
            conn = None
        # tick on whole seconds
        time.sleep(1.0 - (time.time() % 1.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
