-- opsdeck local stack: Redshift system views as fixture tables in PostgreSQL
-- (database `analytics` on 127.0.0.1:5442). Column names and types follow Redshift's
-- documentation of SYS_LOAD_HISTORY, SYS_LOAD_ERROR_DETAIL and STL_LOAD_ERRORS; timestamps
-- are UTC without time zone, as Redshift stores them. SYS_LOAD_HISTORY.status takes
-- Redshift's documented values: 'running', 'completed', 'aborted'.
--
-- Seed: ~2 days of hourly COPY runs into orders, customers and fact_clicks, a few aborted
-- runs with their error rows, and one fact_clicks run far slower than usual.

CREATE TABLE IF NOT EXISTS sys_load_history (
  user_id            integer,
  query_id           bigint,
  transaction_id     bigint,
  session_id         integer,
  database_name      text,
  status             text,
  table_name         text,
  start_time         timestamp,
  end_time           timestamp,
  duration           bigint,      -- microseconds
  data_source        text,
  file_format        text,
  loaded_rows        bigint,
  loaded_bytes       bigint,
  source_file_count  integer,
  source_file_bytes  bigint,
  file_count_scanned integer,
  file_bytes_scanned bigint,
  error_count        bigint,
  copy_job_id        bigint
);

CREATE TABLE IF NOT EXISTS sys_load_error_detail (
  user_id        integer,
  query_id       bigint,
  transaction_id bigint,
  session_id     integer,
  database_name  character(64),
  table_id       integer,
  start_time     timestamp,
  file_name      character(256),
  line_number    bigint,
  column_name    character(127),
  column_type    character(10),
  column_length  character(10),
  position       integer,
  error_code     integer,
  error_message  character(512)
);

CREATE TABLE IF NOT EXISTS stl_load_errors (
  userid          integer,
  slice           integer,
  tbl             integer,
  starttime       timestamp,
  session         integer,
  query           integer,
  filename        character(256),
  line_number     bigint,
  colname         character(127),
  type            character(10),
  col_length      character(10),
  position        integer,
  raw_line        character(1024),
  raw_field_value character(1024),
  err_code        integer,
  err_reason      character(100),
  is_partial      integer,
  start_offset    bigint
);

CREATE INDEX IF NOT EXISTS ix_sys_load_history_start ON sys_load_history (start_time);
CREATE INDEX IF NOT EXISTS ix_sys_load_history_query ON sys_load_history (query_id);
CREATE INDEX IF NOT EXISTS ix_sys_load_error_detail_query ON sys_load_error_detail (query_id);

-- Which tables exist (table_id for the error views).
CREATE TABLE IF NOT EXISTS fixture_tables (table_id integer PRIMARY KEY, table_name text NOT NULL);
INSERT INTO fixture_tables VALUES (108213, 'orders'), (108245, 'customers'), (110871, 'fact_clicks')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------- seed (only when empty)
DO $$
DECLARE
  seeded boolean;
BEGIN
  SELECT EXISTS (SELECT 1 FROM sys_load_history) INTO seeded;
  IF seeded THEN
    RETURN;
  END IF;

  -- runs: one per table per hour for the last 48 hours
  CREATE TEMP TABLE runs ON COMMIT DROP AS
  WITH hours AS (
    SELECT h, row_number() OVER (ORDER BY h) AS hn
    FROM generate_series(date_trunc('hour', now() AT TIME ZONE 'utc') - interval '47 hours',
                         date_trunc('hour', now() AT TIME ZONE 'utc'), interval '1 hour') AS h
  ),
  tabs AS (
    SELECT * FROM (VALUES
      ('orders',      108213, 1, interval '5 minutes',  42000::bigint,   18000000::bigint, 'csv',     8, 95),
      ('customers',   108245, 2, interval '10 minutes',  3500::bigint,    2100000::bigint, 'json',    2, 25),
      ('fact_clicks', 110871, 3, interval '15 minutes', 2400000::bigint, 610000000::bigint, 'parquet', 24, 420)
    ) AS t(table_name, table_id, tn, offset_in_hour, base_rows, base_bytes, file_format, files, base_seconds)
  )
  SELECT
    (1000000 + hours.hn * 10 + tabs.tn)::bigint AS query_id,
    tabs.*,
    hours.h,
    hours.hn,
    hours.h + tabs.offset_in_hour AS start_time,
    -- usual duration +- 20%, fact_clicks 31 hours ago ran ~12x slower than usual
    CASE WHEN tabs.table_name = 'fact_clicks' AND hours.hn = 17
         THEN tabs.base_seconds * 12.4
         ELSE tabs.base_seconds * (0.8 + ((hours.hn * 37 + tabs.tn * 11) % 41) / 100.0)
    END AS seconds,
    -- aborted runs: customers 40 h and 9 h ago, orders 22 h ago, fact_clicks 3 h ago
    (tabs.table_name = 'customers' AND hours.hn IN (8, 39))
      OR (tabs.table_name = 'orders' AND hours.hn = 26)
      OR (tabs.table_name = 'fact_clicks' AND hours.hn = 45) AS failed,
    (tabs.base_rows * (0.85 + ((hours.hn * 13 + tabs.tn) % 31) / 100.0))::bigint AS rows
  FROM hours CROSS JOIN tabs;

  INSERT INTO sys_load_history
  SELECT
    100 AS user_id,
    query_id,
    query_id * 3 + 7 AS transaction_id,
    1073815000 + (query_id % 5000)::integer AS session_id,
    'analytics' AS database_name,
    CASE WHEN failed THEN 'aborted' ELSE 'completed' END AS status,
    table_name,
    start_time,
    start_time + make_interval(secs => CASE WHEN failed THEN seconds * 0.3 ELSE seconds END) AS end_time,
    (CASE WHEN failed THEN seconds * 0.3 ELSE seconds END * 1000000)::bigint AS duration,
    format('s3://streamshop-logs/exports/%s/%s/', table_name, to_char(h, 'YYYY/MM/DD/HH24')) AS data_source,
    file_format,
    CASE WHEN failed THEN 0 ELSE rows END AS loaded_rows,
    CASE WHEN failed THEN 0 ELSE (rows * base_bytes / base_rows) END AS loaded_bytes,
    files AS source_file_count,
    (rows * base_bytes / base_rows * 0.31)::bigint AS source_file_bytes,
    CASE WHEN failed THEN 1 ELSE files END AS file_count_scanned,
    CASE WHEN failed THEN (base_bytes * 0.31 / files)::bigint ELSE (rows * base_bytes / base_rows * 0.31)::bigint END AS file_bytes_scanned,
    CASE WHEN failed THEN 1 ELSE 0 END AS error_count,
    0 AS copy_job_id
  FROM runs;

  INSERT INTO sys_load_error_detail
  SELECT
    100, query_id, query_id * 3 + 7, 1073815000 + (query_id % 5000)::integer, 'analytics', table_id,
    start_time,
    format('s3://streamshop-logs/exports/%s/%s/part-0000%s.%s', table_name, to_char(h, 'YYYY/MM/DD/HH24'), e.n, file_format),
    e.line_number, e.column_name, e.column_type, e.column_length, e.position, e.error_code, e.error_message
  FROM runs
  JOIN LATERAL (VALUES
    (1, CASE table_name WHEN 'orders' THEN 18234 WHEN 'customers' THEN 412 ELSE 90211 END::bigint,
        CASE table_name WHEN 'orders' THEN 'user_id' WHEN 'customers' THEN 'loyalty_tier' ELSE 'session_id' END,
        'int4', '0', 0, 1207,
        'Invalid digit, Value ''x'', Pos 0, Type: Integer'),
    (2, CASE table_name WHEN 'orders' THEN 18240 WHEN 'customers' THEN 977 ELSE 90388 END::bigint,
        CASE table_name WHEN 'orders' THEN 'total' WHEN 'customers' THEN 'email' ELSE 'url' END,
        CASE table_name WHEN 'orders' THEN 'numeric' ELSE 'varchar' END,
        CASE table_name WHEN 'orders' THEN '12' ELSE '256' END, 0,
        CASE table_name WHEN 'orders' THEN 1207 ELSE 1204 END,
        CASE table_name WHEN 'orders' THEN 'Invalid digit, Value ''N'', Pos 0, Type: Decimal'
             ELSE 'String length exceeds DDL length' END)
  ) AS e(n, line_number, column_name, column_type, column_length, position, error_code, error_message) ON true
  WHERE failed;

  INSERT INTO stl_load_errors
  SELECT
    100, (query_id % 4)::integer, table_id, d.start_time, d.session_id, d.query_id::integer, d.file_name,
    d.line_number, d.column_name, d.column_type, d.column_length, d.position,
    format('%s|x|%s|2026-11-24 10:11:12', d.line_number, d.line_number * 7),
    CASE WHEN d.error_code = 1204 THEN repeat('y', 300) ELSE 'x' END,
    d.error_code, left(trim(d.error_message), 100), 0, 0
  FROM sys_load_error_detail d;
END
$$;
