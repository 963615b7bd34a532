-- opsdeck local stack: data on the MariaDB source (127.0.0.1:3316).
-- Run once by scripts/stack after the replicas are attached, with binary logging on, so
-- that everything here reaches the replica (3317) and the delayed replica (3318).

-- ---------------------------------------------------------------- shop
CREATE DATABASE IF NOT EXISTS shop;

CREATE TABLE IF NOT EXISTS shop.products (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sku        VARCHAR(32)   NOT NULL,
  name       VARCHAR(255)  NOT NULL,
  price      DECIMAL(10,2) NOT NULL,
  stock      INT           NOT NULL DEFAULT 0,
  updated_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  UNIQUE KEY uk_products_sku (sku),
  KEY ix_products_updated_at (updated_at)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS shop.orders (
  id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id    INT UNSIGNED  NOT NULL,
  total      DECIMAL(12,2) NOT NULL,
  created_at DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_orders_user (user_id),
  KEY ix_orders_created_at (created_at)
) ENGINE=InnoDB;

USE shop;

-- 5000 products across StreamShop's categories (books, movies, music, games, streaming).
-- (seq_1_to_N is MariaDB's Sequence engine; INSERT IGNORE keeps a re-run harmless.)
INSERT IGNORE INTO shop.products (sku, name, price, stock, updated_at)
SELECT
  CONCAT('SKU-', LPAD(seq, 6, '0')),
  CONCAT(
    ELT(1 + seq % 8, 'Deluxe', 'Collector''s', 'Classic', 'Remastered', 'Essential', 'Illustrated', 'Complete', 'Live'),
    ' ',
    ELT(1 + (seq DIV 8) % 10, 'Midnight', 'Harbor', 'Aurora', 'Signal', 'Orchard', 'Voyager', 'Ember', 'Atlas', 'Quartz', 'Meridian'),
    ' ',
    ELT(1 + seq % 5, 'Paperback', 'Blu-ray', 'Vinyl', 'Game', 'Season Pass'),
    ' #', seq),
  ROUND(4.99 + (seq * 7919 % 9500) / 100, 2),
  (seq * 104729) % 500,
  NOW(6) - INTERVAL (seq * 37) % 86400 SECOND
FROM seq_1_to_5000;

-- ~2 days of orders (only into an empty table)
INSERT INTO shop.orders (user_id, total, created_at)
SELECT
  1 + (seq * 48271) % 500000,
  ROUND(9.99 + (seq * 6007 % 25000) / 100, 2),
  NOW(6) - INTERVAL (172800 - seq * 43) SECOND
FROM seq_1_to_4000
WHERE (SELECT COUNT(*) FROM shop.orders) = 0;

-- ---------------------------------------------------------------- heartbeat (pt-heartbeat style)
CREATE DATABASE IF NOT EXISTS opsdeck;

CREATE TABLE IF NOT EXISTS opsdeck.heartbeat (
  server_id INT          NOT NULL PRIMARY KEY,
  ts        DATETIME(6)  NOT NULL,
  file      VARCHAR(255),
  position  BIGINT
) ENGINE=InnoDB;

REPLACE INTO opsdeck.heartbeat (server_id, ts, file, position) VALUES (1, NOW(6), NULL, NULL);

-- ---------------------------------------------------------------- Aurora fixture
-- Shaped like Aurora MySQL's information_schema.replica_host_status (same column names and
-- types as Aurora reports them). Rows: the writer (SESSION_ID = 'MASTER_SESSION_ID') and two
-- readers. The heartbeat loop keeps LAST_UPDATE_TIMESTAMP fresh for catalog-1 and catalog-2;
-- catalog-3's row stays 10 minutes old (a stale reader, as drivers filter on <= 300 s).
CREATE DATABASE IF NOT EXISTS aurora_fixture;

CREATE TABLE IF NOT EXISTS aurora_fixture.replica_host_status (
  SERVER_ID                               VARCHAR(100) NOT NULL,
  SESSION_ID                              VARCHAR(100) NOT NULL,
  IOPS                                    INT UNSIGNED,
  READ_IOS                                BIGINT UNSIGNED,
  PENDING_READ_IOS                        INT UNSIGNED,
  CPU                                     DOUBLE,
  MASTER_SLAVE_LATENCY_IN_MICROSECONDS    BIGINT,
  REPLICA_LAG_IN_MILLISECONDS             DOUBLE,
  LOG_STREAM_SPEED_IN_KiB_PER_SECOND      DOUBLE,
  LOG_BUFFER_SEQUENCE_NUMBER              BIGINT UNSIGNED,
  IS_CURRENT                              TINYINT UNSIGNED,
  OLDEST_READ_VIEW_TRX_ID                 BIGINT UNSIGNED,
  OLDEST_READ_VIEW_LSN                    BIGINT UNSIGNED,
  HIGHEST_LSN_RECEIVED                    BIGINT UNSIGNED,
  CURRENT_READ_POINT                      BIGINT UNSIGNED,
  CURRENT_REPLAY_LATENCY_IN_MICROSECONDS  BIGINT UNSIGNED,
  AVERAGE_REPLAY_LATENCY_IN_MICROSECONDS  BIGINT UNSIGNED,
  MAX_REPLAY_LATENCY_IN_MICROSECONDS      BIGINT UNSIGNED,
  LAST_TRANSPORT_ERROR                    VARCHAR(128),
  LAST_ERROR_TIMESTAMP                    DATETIME(6),
  LAST_UPDATE_TIMESTAMP                   DATETIME(6) NOT NULL,
  PRIMARY KEY (SERVER_ID)
) ENGINE=InnoDB;

REPLACE INTO aurora_fixture.replica_host_status VALUES
  ('catalog-1', 'MASTER_SESSION_ID', 2950, 0, 0, 47.3, 0, 0, 1843.2, 88123456789, 1,
   812345, 88123400000, 88123456789, 88123456789, 0, 0, 0, NULL, NULL, NOW(6)),
  ('catalog-2', '8a1f3c9e-5b72-4d1e-9c0a-2f6e7d4b1a01', 410, 1832211, 0, 29.8, 18500, 18.4, 1843.2, 88123456701, 1,
   812340, 88123390000, 88123456701, 88123456690, 620, 540, 2900, NULL, NULL, NOW(6)),
  ('catalog-3', 'c47b2e10-93d5-4a8f-b6e2-7d1f0a9c3e22', 385, 1691042, 3, 31.2, 2310000, 2310.0, 1790.5, 88123012345, 1,
   811990, 88122900000, 88123012345, 88123001234, 5100, 3900, 48000,
   'Transport lost: connection reset by peer', NOW(6) - INTERVAL 11 MINUTE, NOW(6) - INTERVAL 10 MINUTE);
