-- Early warning (issue #4): rules as versioned data, alerts with their timeline, maintenance windows.

-- A rule's current version; every version ever saved stays in rule_versions (alerts cite one).
CREATE TABLE rules (
  id          text PRIMARY KEY,
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  unit_code   text NOT NULL REFERENCES org_units (code),
  sector      text,
  enabled     boolean NOT NULL,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  -- Rules are deleted softly: their alerts keep pointing at them.
  deleted_at  timestamptz
);
CREATE INDEX rules_unit ON rules (unit_code);

CREATE TABLE rule_versions (
  rule_id     text NOT NULL REFERENCES rules (id),
  version     integer NOT NULL,
  definition  jsonb NOT NULL,
  -- From this instant the version evaluates live; history before it is context only.
  active_from timestamptz NOT NULL,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rule_id, version)
);

-- One alert = one episode of a rule's condition on one subject (a device or an area), possibly
-- reopened. cleared_ts is null while the condition still holds (even when an operator closed it).
CREATE TABLE alerts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id       text NOT NULL REFERENCES rules (id),
  rule_version  integer NOT NULL,
  subject       text NOT NULL,
  device_id     text,
  unit_code     text NOT NULL,
  sector        text,
  owner_unit    text NOT NULL,
  state         text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved', 'closed')),
  severity      text NOT NULL,
  title_vi      text NOT NULL,
  title_en      text NOT NULL,
  opened_at     timestamptz NOT NULL,
  first_ts      timestamptz NOT NULL,
  last_ts       timestamptz NOT NULL,
  count         integer NOT NULL DEFAULT 1,
  first_value   double precision,
  last_value    double precision,
  peak_value    double precision,
  acked_at      timestamptz,
  acked_by      text,
  assignee      text,
  escalated_at  timestamptz,
  escalated_to  text,
  resolved_at   timestamptz,
  closed_at     timestamptz,
  closed_by     text,
  cleared_ts    timestamptz,
  reopen_count  integer NOT NULL DEFAULT 0,
  evidence      jsonb NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
-- The one guarantee that matters: at most one active alert per rule and subject, whatever races.
CREATE UNIQUE INDEX alerts_one_active ON alerts (rule_id, subject) WHERE state IN ('open', 'acknowledged');
CREATE INDEX alerts_rule_subject ON alerts (rule_id, subject, id DESC);
CREATE INDEX alerts_state ON alerts (state) WHERE state IN ('open', 'acknowledged');
CREATE INDEX alerts_unit ON alerts (unit_code);
CREATE INDEX alerts_opened ON alerts (opened_at DESC);

-- The timeline of every alert and the log the live stream resumes from (Last-Event-ID = id).
CREATE TABLE alert_events (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id  bigint NOT NULL REFERENCES alerts (id),
  at        timestamptz NOT NULL,
  kind      text NOT NULL,
  actor_id  text,
  actor     text,
  data      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

-- Maintenance windows: alerts of a device, or of every device of a unit's subtree, are not raised.
CREATE TABLE maintenance_windows (
  id           text PRIMARY KEY,
  device_id    text REFERENCES devices (id) ON DELETE CASCADE,
  unit_code    text REFERENCES org_units (code),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL,
  reason       text NOT NULL,
  created_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  CHECK ((device_id IS NULL) <> (unit_code IS NULL)),
  CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_windows_ends ON maintenance_windows (ends_at);
