#!/usr/bin/env python3
"""pt-heartbeat-style writer for the local MariaDB primary (started by `scripts/stack up`).

Every second: REPLACE INTO opsdeck.heartbeat (server_id, ts, file, position) with the
primary's current binlog coordinates, and keep the Aurora fixture rows of the writer and
the healthy reader fresh (catalog-3 is left stale on purpose). Replication carries both to
the replicas, so heartbeat age on 3317/3318 is real replication lag.

As in production, the writer is an ordinary account (`opsdeck_heartbeat`, no SUPER, no
READ_ONLY ADMIN), so `read_only` stops it: it writes only on whichever of $HB_PORTS is the
current primary (writable). A frozen source therefore takes no heartbeat writes, and a
cutover can be reversed without errant GTIDs on the old primary (root bypasses read_only and
would keep writing there).

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
PORTS = [int(p) for p in os.environ.get("HB_PORTS", os.environ.get("HB_PORT", "3316")).split(",") if p]
USER = os.environ.get("HB_USER", "opsdeck_heartbeat")
PASSWORD = os.environ.get("HB_PASSWORD", "heartbeat")
# ER_OPTION_PREVENTS_STATEMENT: the server is read-only (a replica, or a frozen source)
READ_ONLY = 1290
PIDFILE = os.environ.get("HB_PIDFILE", "")


def still_wanted() -> bool:
    if not PIDFILE:
        return True
    try:
        with open(PIDFILE) as f:
            return f.read().strip() == str(os.getpid())
    except OSError:
        return False


def connect(port: int):
    return pymysql.connect(
        host=HOST, port=port, user=USER, password=PASSWORD, autocommit=True, connect_timeout=5, read_timeout=5, write_timeout=5
    )


def beat(conn, rng) -> None:
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


def main() -> int:
    if PIDFILE:
        tmp = f"{PIDFILE}.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{os.getpid()}\n")
        os.replace(tmp, PIDFILE)
    conns: dict[int, object] = {}
    # last state logged per port, so a replica's steady "read-only" is said once
    said: dict[int, str] = {}
    rng = random.Random()
    while still_wanted():
        for port in PORTS:
            try:
                if port not in conns:
                    conns[port] = connect(port)
                beat(conns[port], rng)
                state = "primary"
            except pymysql.MySQLError as e:
                code = e.args[0] if e.args else None
                state = "read-only" if code == READ_ONLY else f"error {e}"
                if code != READ_ONLY:
                    try:
                        conn = conns.pop(port, None)
                        if conn is not None:
                            conn.close()
                    except Exception:  # noqa: BLE001
                        pass
            if said.get(port) != state:
                print(f"heartbeat: 127.0.0.1:{port} {state}", file=sys.stderr, flush=True)
                said[port] = state
        # tick on whole seconds
        time.sleep(1.0 - (time.time() % 1.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
