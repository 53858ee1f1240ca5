-- Platform spine: org units, device registry, time series (raw, per-minute, per-hour, latest).
-- Timestamps are timestamptz (UTC in storage); sessions run with TimeZone = UTC.

CREATE TABLE org_units (
  code        text PRIMARY KEY,
  name_vi     text NOT NULL,
  name_en     text NOT NULL,
  kind        text NOT NULL,
  parent_code text REFERENCES org_units (code),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX org_units_parent ON org_units (parent_code);

CREATE TABLE devices (
  id          text PRIMARY KEY,
  type        text NOT NULL,
  name        text NOT NULL,
  -- name folded for search with or without Vietnamese diacritics (domain foldVietnamese)
  search_text text NOT NULL,
  lat         double precision NOT NULL,
  lon         double precision NOT NULL,
  unit_code   text NOT NULL REFERENCES org_units (code),
  sector      text NOT NULL,
  apikey      text NOT NULL,
  token_hash  text UNIQUE,
  attributes  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_unit ON devices (unit_code);
CREATE INDEX devices_type ON devices (type);
CREATE INDEX devices_sector ON devices (sector);

-- One series per declared (device, attribute): readings refer to it by a small integer.
CREATE TABLE series (
  id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id text NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  attr      text NOT NULL,
  UNIQUE (device_id, attr)
);

-- Raw readings. The primary key makes a redelivered reading (QoS 1 after a crash) a no-op.
CREATE TABLE readings (
  series_id integer NOT NULL,
  ts        timestamptz NOT NULL,
  value     double precision NOT NULL,
  PRIMARY KEY (series_id, ts)
);
CREATE INDEX readings_ts ON readings USING brin (ts);

-- Rollups kept on write: count, min, max, sum (avg = sum / count), and the last value by time.
CREATE TABLE rollup_1m (
  series_id  integer NOT NULL,
  bucket     timestamptz NOT NULL,
  count      integer NOT NULL,
  min        double precision NOT NULL,
  max        double precision NOT NULL,
  sum        double precision NOT NULL,
  last_ts    timestamptz NOT NULL,
  last_value double precision NOT NULL,
  PRIMARY KEY (series_id, bucket)
);
CREATE INDEX rollup_1m_bucket ON rollup_1m USING brin (bucket);

CREATE TABLE rollup_1h (LIKE rollup_1m INCLUDING ALL);

CREATE TABLE latest (
  series_id integer PRIMARY KEY,
  ts        timestamptz NOT NULL,
  value     double precision NOT NULL
);
