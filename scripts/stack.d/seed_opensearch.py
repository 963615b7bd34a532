#!/usr/bin/env python3
"""Seed the local OpenSearch node: index `products_v1` mirroring shop.products on the
MariaDB source, and alias `products` -> products_v1. Does nothing when products_v1 exists.

Env: OPSDECK_OPENSEARCH_URL (http://127.0.0.1:9201), OPSDECK_MYSQL_PORT (3316).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

import pymysql

OS_URL = os.environ.get("OPSDECK_OPENSEARCH_URL", "http://127.0.0.1:9201").rstrip("/")
MYSQL_PORT = int(os.environ.get("OPSDECK_MYSQL_PORT", "3316"))
INDEX = "products_v1"
ALIAS = "products"

MAPPING = {
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "sku": {"type": "keyword"},
            "name": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 256}}},
            "price": {"type": "float"},
            "stock": {"type": "integer"},
            "category": {"type": "keyword"},
            "updated_at": {"type": "date"},
        },
    },
}

CATEGORIES = ["books", "movies", "music", "games", "streaming"]


def request(method: str, path: str, body: bytes | None = None, content_type: str = "application/json"):
    req = urllib.request.Request(f"{OS_URL}{path}", data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def main() -> int:
    status, _ = request("HEAD", f"/{INDEX}")
    if status == 200:
        print(f"seed_opensearch: {INDEX} already there")
        return 0

    conn = pymysql.connect(host="127.0.0.1", port=MYSQL_PORT, user="root", password="", connect_timeout=10)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT id, sku, name, price, stock, DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%s.%fZ') FROM shop.products ORDER BY id"
        )
        rows = cur.fetchall()
    conn.close()
    if not rows:
        print("seed_opensearch: shop.products is empty", file=sys.stderr)
        return 1

    status, body = request("PUT", f"/{INDEX}", json.dumps(MAPPING).encode())
    if status != 200:
        print(f"seed_opensearch: create {INDEX}: {status} {body}", file=sys.stderr)
        return 1

    for start in range(0, len(rows), 1000):
        lines = []
        for pid, sku, name, price, stock, updated_at in rows[start : start + 1000]:
            lines.append(json.dumps({"index": {"_index": INDEX, "_id": str(pid)}}))
            lines.append(
                json.dumps(
                    {
                        "sku": sku,
                        "name": name,
                        "price": float(price),
                        "stock": int(stock),
                        "category": CATEGORIES[pid % 5],
                        "updated_at": updated_at,
                    }
                )
            )
        status, body = request("POST", "/_bulk", ("\n".join(lines) + "\n").encode(), "application/x-ndjson")
        if status != 200 or body.get("errors"):
            print(f"seed_opensearch: bulk failed: {status} {str(body)[:500]}", file=sys.stderr)
            return 1

    request("POST", f"/{INDEX}/_refresh")
    status, body = request(
        "POST", "/_aliases", json.dumps({"actions": [{"add": {"index": INDEX, "alias": ALIAS}}]}).encode()
    )
    if status != 200:
        print(f"seed_opensearch: alias: {status} {body}", file=sys.stderr)
        return 1
    _, count = request("GET", f"/{ALIAS}/_count")
    print(f"seed_opensearch: {INDEX} with {count['count']} docs, alias {ALIAS} -> {INDEX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
