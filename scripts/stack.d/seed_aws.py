#!/usr/bin/env python3
"""Seed the local moto server with StreamShop's AWS control-plane fixtures.

Run by `scripts/stack up` right after moto starts (moto keeps everything in memory, so a
restarted moto is seeded again). Talks to the endpoint in AWS_ENDPOINT_URL
(default http://127.0.0.1:5055) with the dummy credentials the stack exports.

What it creates:
- RDS: aurora-mysql cluster `catalog` with writer `catalog-1`, readers `catalog-2`/`catalog-3`
  (different promotion tiers), and a blue/green deployment `catalog-bg` of it.
- S3: buckets `streamshop-media` and `streamshop-logs`, objects in STANDARD, STANDARD_IA,
  GLACIER_IR, DEEP_ARCHIVE (and INTELLIGENT_TIERING), a lifecycle configuration on each.
- CloudWatch: AWS/S3 daily storage metrics (last 3 days), per-minute metrics for the last
  30 minutes for AWS/RDS, AWS/ElastiCache, AWS/CloudFront, AWS/DynamoDB, AWS/DMS; alarm
  `catalog-replica-lag` forced to ALARM, and an OK alarm for contrast.
- Glue: job `orders-etl` with a few runs.

`--refresh` only appends one fresh per-minute datapoint for the "live" metrics; the load
generator calls it every minute so that "the last few minutes" always has data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5055")
REGION = os.environ.get("AWS_REGION", "us-east-1")

TB = 1024**4
GB = 1024**3

CLUSTER = "catalog"
WRITER = "catalog-1"
READERS = {"catalog-2": 1, "catalog-3": 2}  # name -> promotion tier (writer is tier 0)
MEDIA_BUCKET = "streamshop-media"
LOGS_BUCKET = "streamshop-logs"
GLUE_JOB = "orders-etl"
CACHE_NODES = [
    "streamshop-sessions-0001-001",
    "streamshop-sessions-0001-002",
    "streamshop-sessions-0002-001",
    "streamshop-sessions-0002-002",
]
CACHE_GROUP = "streamshop-sessions"
DISTRIBUTION = "E2STREAMSHOP"
DDB_TABLES = {"reviews": (400, 150), "wishlists": (200, 80)}  # provisioned RCU, WCU
DMS_INSTANCE = "streamshop-dms-1"
DMS_TASK = "catalog-mysql-to-aurora"


def client(name: str):
    return boto3.client(
        name,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def log(msg: str) -> None:
    print(f"seed_aws: {msg}", flush=True)


# --------------------------------------------------------------------------- RDS
def seed_rds(rds) -> None:
    try:
        rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)
        log("rds: cluster catalog already there")
        return
    except ClientError as e:
        if e.response["Error"]["Code"] not in ("DBClusterNotFoundFault", "DBClusterNotFound"):
            raise
    rds.create_db_cluster(
        DBClusterIdentifier=CLUSTER,
        Engine="aurora-mysql",
        EngineVersion="8.0.mysql_aurora.3.05.2",
        MasterUsername="admin",
        MasterUserPassword="local-only-password",
        DatabaseName="shop",
        Port=3306,
        BackupRetentionPeriod=7,
        Tags=[{"Key": "app", "Value": "streamshop"}],
    )
    # The first instance added to the cluster becomes its writer.
    for name, tier, klass in [(WRITER, 0, "db.r6g.xlarge")] + [
        (n, t, "db.r6g.large") for n, t in READERS.items()
    ]:
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBClusterIdentifier=CLUSTER,
            Engine="aurora-mysql",
            DBInstanceClass=klass,
            PromotionTier=tier,
            Tags=[{"Key": "app", "Value": "streamshop"}],
        )
    members = rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["DBClusterMembers"]
    writer = [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]]
    log(f"rds: cluster catalog, members {[m['DBInstanceIdentifier'] for m in members]}, writer {writer}")
    arn = rds.describe_db_clusters(DBClusterIdentifier=CLUSTER)["DBClusters"][0]["DBClusterArn"]
    try:
        bg = rds.create_blue_green_deployment(
            BlueGreenDeploymentName="catalog-bg",
            Source=arn,
            TargetEngineVersion="8.0.mysql_aurora.3.08.0",
            Tags=[{"Key": "app", "Value": "streamshop"}],
        )["BlueGreenDeployment"]
        log(f"rds: blue/green deployment {bg['BlueGreenDeploymentIdentifier']} ({bg['Status']})")
    except ClientError as e:  # older moto: no blue/green support
        log(f"rds: blue/green deployment not created: {e}")


# --------------------------------------------------------------------------- S3
MEDIA_OBJECTS = [
    ("video/trailers/{i:04d}.mp4", "STANDARD", 6),
    ("images/catalog/{i:05d}.jpg", "STANDARD", 10),
    ("video/catalog/2024/{i:04d}.mp4", "STANDARD_IA", 6),
    ("audio/previews/{i:05d}.mp3", "STANDARD_IA", 4),
    ("video/catalog/2022/{i:04d}.mp4", "GLACIER_IR", 5),
    ("masters/2019/{i:04d}.mov", "DEEP_ARCHIVE", 4),
    ("images/thumbnails/{i:05d}.webp", "INTELLIGENT_TIERING", 3),
]
LOG_OBJECTS = [
    ("app/{day}/web-{i:03d}.log.gz", "STANDARD", 6),
    ("app/{day}/api-{i:03d}.log.gz", "STANDARD_IA", 4),
    ("cdn/{day}/E2STREAMSHOP.{i:03d}.gz", "GLACIER_IR", 3),
    ("archive/2023/{day}/app-{i:03d}.log.gz", "DEEP_ARCHIVE", 3),
]

MEDIA_LIFECYCLE = {
    "Rules": [
        {
            "ID": "video-to-ia-after-30d",
            "Filter": {"Prefix": "video/"},
            "Status": "Enabled",
            "Transitions": [
                {"Days": 30, "StorageClass": "STANDARD_IA"},
                {"Days": 365, "StorageClass": "GLACIER_IR"},
            ],
        },
        {
            "ID": "masters-deep-archive",
            "Filter": {"Prefix": "masters/"},
            "Status": "Enabled",
            "Transitions": [{"Days": 1, "StorageClass": "DEEP_ARCHIVE"}],
        },
        {
            "ID": "abort-incomplete-uploads",
            "Filter": {"Prefix": ""},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
        },
    ]
}
LOGS_LIFECYCLE = {
    "Rules": [
        {
            "ID": "logs-tiering",
            "Filter": {"Prefix": "app/"},
            "Status": "Enabled",
            "Transitions": [
                {"Days": 30, "StorageClass": "STANDARD_IA"},
                {"Days": 90, "StorageClass": "GLACIER_IR"},
                {"Days": 180, "StorageClass": "DEEP_ARCHIVE"},
            ],
            "Expiration": {"Days": 2555},
        },
        {
            "ID": "cdn-logs-expire",
            "Filter": {"Prefix": "cdn/"},
            "Status": "Disabled",
            "Expiration": {"Days": 90},
        },
    ]
}


def seed_s3(s3) -> None:
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    today = utcnow().date()
    for bucket, objects, lifecycle in [
        (MEDIA_BUCKET, MEDIA_OBJECTS, MEDIA_LIFECYCLE),
        (LOGS_BUCKET, LOG_OBJECTS, LOGS_LIFECYCLE),
    ]:
        if bucket in existing:
            log(f"s3: {bucket} already there")
            continue
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_tagging(
            Bucket=bucket, Tagging={"TagSet": [{"Key": "app", "Value": "streamshop"}]}
        )
        n = 0
        for pattern, storage_class, count in objects:
            for i in range(count):
                key = pattern.format(i=i, day=(today - dt.timedelta(days=i)).isoformat())
                body = f"opsdeck local fixture {bucket}/{key}\n".encode() * (1 + i % 5)
                s3.put_object(Bucket=bucket, Key=key, Body=body, StorageClass=storage_class)
                n += 1
        s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=lifecycle)
        log(f"s3: {bucket} with {n} objects, {len(lifecycle['Rules'])} lifecycle rules")


# --------------------------------------------------------------------------- CloudWatch
def md(name, dims, ts, value, unit):
    return {
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
        "Timestamp": ts,
        "Value": float(value),
        "Unit": unit,
    }


def s3_storage_metrics(now: dt.datetime) -> dict[str, list]:
    """Daily BucketSizeBytes / NumberOfObjects for the last 3 days (~30 TB of media)."""
    sizes = {
        MEDIA_BUCKET: {
            "StandardStorage": 9.4 * TB,
            "StandardIAStorage": 11.2 * TB,
            "GlacierInstantRetrievalStorage": 6.1 * TB,
            "DeepArchiveStorage": 2.9 * TB,
            "IntelligentTieringFAStorage": 0.55 * TB,
        },
        LOGS_BUCKET: {
            "StandardStorage": 2.9 * TB,
            "StandardIAStorage": 5.8 * TB,
            "GlacierInstantRetrievalStorage": 7.9 * TB,
            "DeepArchiveStorage": 14.6 * TB,
            "IntelligentTieringFAStorage": 0.0,
        },
    }
    objects = {MEDIA_BUCKET: 41_800_000, LOGS_BUCKET: 2_650_000}
    growth_per_day = {MEDIA_BUCKET: 5 * TB / 30, LOGS_BUCKET: 100 * GB}
    data = []
    midnight = now.replace(hour=0, minute=0, second=0)
    for days_ago in (3, 2, 1):
        ts = midnight - dt.timedelta(days=days_ago)
        for bucket, tiers in sizes.items():
            total = sum(tiers.values())
            shrink = growth_per_day[bucket] * (days_ago - 1)
            for storage_type, size in tiers.items():
                # growth lands in the hot tiers
                share = size / total if storage_type in ("StandardStorage", "StandardIAStorage") else 0
                value = max(size - shrink * share * 2, 0)
                data.append(
                    md("BucketSizeBytes", [("BucketName", bucket), ("StorageType", storage_type)], ts, int(value), "Bytes")
                )
            data.append(
                md(
                    "NumberOfObjects",
                    [("BucketName", bucket), ("StorageType", "AllStorageTypes")],
                    ts,
                    objects[bucket] - 55_000 * (days_ago - 1),
                    "Count",
                )
            )
    return {"AWS/S3": data}


def live_metrics(ts: dt.datetime, minute_index: int, rng: random.Random) -> dict[str, list]:
    """One per-minute datapoint of every 'live' metric at ts. minute_index counts from 0
    (30 minutes ago) upward; it shapes trends such as catalog-3's growing lag."""
    m = minute_index
    wave = math.sin(m / 5.0)
    out: dict[str, list] = {ns: [] for ns in ("AWS/RDS", "AWS/ElastiCache", "AWS/CloudFront", "AWS/DynamoDB", "AWS/DMS")}

    rds = out["AWS/RDS"]
    rds.append(md("CPUUtilization", [("DBInstanceIdentifier", WRITER)], ts, 46 + 9 * wave + rng.uniform(-3, 3), "Percent"))
    rds.append(md("AuroraReplicaLag", [("DBInstanceIdentifier", "catalog-2")], ts, 18 + rng.uniform(-4, 6), "Milliseconds"))
    # catalog-3 drifts behind: ~700 ms 30 minutes ago, well above 1 s now
    lag3 = min(700 + 60 * m, 2600) + rng.uniform(-80, 80)
    rds.append(md("AuroraReplicaLag", [("DBInstanceIdentifier", "catalog-3")], ts, lag3, "Milliseconds"))
    rds.append(md("AuroraReplicaLagMaximum", [("DBInstanceIdentifier", WRITER)], ts, lag3, "Milliseconds"))
    for reader in READERS:
        rds.append(md("CPUUtilization", [("DBInstanceIdentifier", reader)], ts, 28 + 6 * wave + rng.uniform(-3, 3), "Percent"))

    ec = out["AWS/ElastiCache"]
    for i, node in enumerate(CACHE_NODES):
        primary = node.endswith("-001")
        hit = 88 + 3 * wave + rng.uniform(-1.5, 1.5) - (6 if i == 2 else 0)
        ec.append(md("CacheHitRate", [("CacheClusterId", node)], ts, hit, "Percent"))
        ec.append(md("Evictions", [("CacheClusterId", node)], ts, (rng.randint(40, 160) if i == 2 else rng.randint(0, 6)), "Count"))
        ec.append(md("EngineCPUUtilization", [("CacheClusterId", node)], ts, (34 if primary else 12) + 5 * wave + rng.uniform(-2, 2), "Percent"))
        ec.append(md("DatabaseMemoryUsagePercentage", [("CacheClusterId", node)], ts, (91 if i == 2 else 72) + rng.uniform(-1, 1), "Percent"))
    group = [("ReplicationGroupId", CACHE_GROUP)]
    ec.append(md("CacheHitRate", group, ts, 86.5 + 3 * wave + rng.uniform(-1, 1), "Percent"))
    ec.append(md("Evictions", group, ts, rng.randint(50, 170), "Count"))
    ec.append(md("EngineCPUUtilization", group, ts, 24 + 5 * wave + rng.uniform(-2, 2), "Percent"))
    ec.append(md("DatabaseMemoryUsagePercentage", group, ts, 77 + rng.uniform(-1, 1), "Percent"))

    cf = out["AWS/CloudFront"]
    dims = [("DistributionId", DISTRIBUTION), ("Region", "Global")]
    spike = m in (21, 22)
    cf.append(md("Requests", dims, ts, int(118_000 + 15_000 * wave + rng.uniform(-4000, 4000)), "None"))
    cf.append(md("CacheHitRate", dims, ts, 92.5 + rng.uniform(-1, 1) - (7 if spike else 0), "Percent"))
    cf.append(md("4xxErrorRate", dims, ts, 1.1 + rng.uniform(-0.3, 0.3), "Percent"))
    cf.append(md("5xxErrorRate", dims, ts, (2.4 if spike else 0.04) + rng.uniform(0, 0.03), "Percent"))
    cf.append(md("OriginLatency", dims, ts, (420 if spike else 95) + rng.uniform(-15, 25), "Milliseconds"))

    ddb = out["AWS/DynamoDB"]
    for table, (rcu, wcu) in DDB_TABLES.items():
        d = [("TableName", table)]
        hot = table == "reviews"
        ddb.append(md("ProvisionedReadCapacityUnits", d, ts, rcu, "Count"))
        ddb.append(md("ProvisionedWriteCapacityUnits", d, ts, wcu, "Count"))
        ddb.append(md("ConsumedReadCapacityUnits", d, ts, 60 * rcu * (0.93 if hot else 0.45) * (1 + 0.05 * wave), "Count"))
        ddb.append(md("ConsumedWriteCapacityUnits", d, ts, 60 * wcu * (0.6 if hot else 0.3), "Count"))
        ddb.append(md("ThrottledRequests", d, ts, rng.randint(3, 40) if hot and m > 15 else 0, "Count"))
        ddb.append(md("SuccessfulRequestLatency", d, ts, (6.5 if hot else 3.8) + rng.uniform(-0.8, 0.8), "Milliseconds"))

    dms = out["AWS/DMS"]
    d = [("ReplicationInstanceIdentifier", DMS_INSTANCE), ("ReplicationTaskIdentifier", DMS_TASK)]
    dms.append(md("CDCLatencySource", d, ts, 2 + rng.uniform(0, 2), "Seconds"))
    dms.append(md("CDCLatencyTarget", d, ts, 4 + 3 * max(wave, 0) + rng.uniform(0, 2), "Seconds"))
    dms.append(md("CDCIncomingChanges", d, ts, rng.randint(800, 2400), "Count"))
    dms.append(md("FullLoadThroughputRowsTarget", d, ts, 0 if m > 10 else rng.randint(9000, 14000), "Count/Second"))
    return out


def put_all(cw, by_namespace: dict[str, list]) -> int:
    n = 0
    for ns, data in by_namespace.items():
        for i in range(0, len(data), 150):
            cw.put_metric_data(Namespace=ns, MetricData=data[i : i + 150])
            n += len(data[i : i + 150])
    return n


def seed_cloudwatch(cw) -> None:
    if cw.describe_alarms(AlarmNames=["catalog-replica-lag"]).get("MetricAlarms"):
        log("cloudwatch: already seeded")
        return
    now = utcnow()
    rng = random.Random(20261125)
    n = put_all(cw, s3_storage_metrics(now))
    start = now.replace(second=0) - dt.timedelta(minutes=30)
    for i in range(31):
        n += put_all(cw, live_metrics(start + dt.timedelta(minutes=i), i, rng))
    log(f"cloudwatch: {n} datapoints")

    cw.put_metric_alarm(
        AlarmName="catalog-replica-lag",
        AlarmDescription="Aurora reader catalog-3 is more than 1 s behind the writer",
        Namespace="AWS/RDS",
        MetricName="AuroraReplicaLag",
        Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "catalog-3"}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=3,
        DatapointsToAlarm=3,
        Threshold=1000.0,
        ComparisonOperator="GreaterThanThreshold",
        TreatMissingData="missing",
        Unit="Milliseconds",
    )
    cw.set_alarm_state(
        AlarmName="catalog-replica-lag",
        StateValue="ALARM",
        StateReason="Threshold Crossed: 3 out of the last 3 datapoints [2460.2, 2391.7, 2318.0] were greater than the threshold (1000.0).",
    )
    cw.put_metric_alarm(
        AlarmName="sessions-evictions",
        AlarmDescription="ElastiCache streamshop-sessions evicting keys",
        Namespace="AWS/ElastiCache",
        MetricName="Evictions",
        Dimensions=[{"Name": "ReplicationGroupId", "Value": CACHE_GROUP}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=5000.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw.set_alarm_state(AlarmName="sessions-evictions", StateValue="OK", StateReason="Threshold not crossed")
    log("cloudwatch: alarms catalog-replica-lag (ALARM), sessions-evictions (OK)")


def refresh_cloudwatch(cw) -> None:
    now = utcnow()
    rng = random.Random()
    n = put_all(cw, live_metrics(now, 30, rng))
    log(f"cloudwatch refresh: {n} datapoints at {now.isoformat()}")


# --------------------------------------------------------------------------- Glue
def seed_glue(glue) -> None:
    try:
        glue.get_job(JobName=GLUE_JOB)
        log("glue: orders-etl already there")
        return
    except ClientError as e:
        if e.response["Error"]["Code"] != "EntityNotFoundException":
            raise
    # moto moves job runs STARTING -> RUNNING -> SUCCEEDED as they are read; make it immediate.
    try:
        req = urllib.request.Request(
            f"{ENDPOINT}/moto-api/state-manager/set-transition",
            data=b'{"model_name": "glue::job_run", "transition": {"progression": "immediate"}}',
            method="POST",
        )
        urllib.request.urlopen(req, timeout=10).read()
    except Exception as e:  # noqa: BLE001 - best effort, runs still exist without it
        log(f"glue: could not set job-run transition: {e}")
    glue.create_job(
        Name=GLUE_JOB,
        Description="Hourly orders extract from Aurora into Redshift (analytics.orders)",
        Role="arn:aws:iam::123456789012:role/streamshop-glue",
        Command={"Name": "glueetl", "ScriptLocation": "s3://streamshop-logs/glue/orders_etl.py", "PythonVersion": "3"},
        ExecutionProperty={"MaxConcurrentRuns": 10},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=4,
        Timeout=60,
        Tags={"app": "streamshop"},
    )
    ids = []
    for hour in range(4):
        ids.append(
            glue.start_job_run(JobName=GLUE_JOB, Arguments={"--run_hour": f"T-{4 - hour}h"})["JobRunId"]
        )
    runs = glue.get_job_runs(JobName=GLUE_JOB)["JobRuns"]
    log(f"glue: orders-etl with {len(ids)} runs ({sorted({r['JobRunState'] for r in runs})})")


def wait_for_moto() -> None:
    # scripts/stack already polls readiness; this is a last guard for manual runs.
    urllib.request.urlopen(f"{ENDPOINT}/moto-api/", timeout=10).read()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refresh", action="store_true", help="append one fresh datapoint per live metric")
    args = ap.parse_args()
    wait_for_moto()
    cw = client("cloudwatch")
    if args.refresh:
        refresh_cloudwatch(cw)
        return 0
    seed_rds(client("rds"))
    seed_s3(client("s3"))
    seed_cloudwatch(cw)
    seed_glue(client("glue"))
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
