-- Operation centers, identity, delegation and audit (issue #3).

-- The org tree as configuration: kinds beyond areas (sector OCs, agencies, enterprises), an
-- optional area geometry (GeoJSON), and retirement instead of deletion. A retired unit names its
-- successor, so that records stored under its code are found under the unit that replaced it.
ALTER TABLE org_units
  ADD COLUMN sector         text,
  ADD COLUMN geometry       jsonb,
  ADD COLUMN status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  ADD COLUMN successor_code text REFERENCES org_units (code),
  ADD COLUMN retired_at     timestamptz,
  ADD COLUMN updated_at     timestamptz NOT NULL DEFAULT now();
CREATE INDEX org_units_successor ON org_units (successor_code);

-- Small facts about this installation (the org preset applied, …).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- People and service accounts (data providers). Usernames are stored lower-case.
CREATE TABLE users (
  id                  uuid PRIMARY KEY,
  username            text NOT NULL UNIQUE,
  display_name        text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('person', 'service')),
  unit_code           text NOT NULL REFERENCES org_units (code),
  -- scrypt, self-describing (parameters, salt, key); NULL for service accounts.
  password_hash       text,
  password_changed_at timestamptz,
  -- Failed logins in a row, forgotten 15 minutes after the last one (as for unknown usernames).
  failed_logins       integer NOT NULL DEFAULT 0,
  last_failed_at      timestamptz,
  locked_until        timestamptz,
  disabled_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_unit ON users (unit_code);

-- A role over a scope: an org subtree and, optionally, one sector.
CREATE TABLE role_assignments (
  id         uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       text NOT NULL,
  unit_code  text NOT NULL REFERENCES org_units (code),
  sector     text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (user_id, role, unit_code, sector)
);
CREATE INDEX role_assignments_unit ON role_assignments (unit_code);

-- Ủy quyền: part of the grantor's role and scope, to the grantee, for a time window.
CREATE TABLE delegations (
  id          uuid PRIMARY KEY,
  grantor_id  uuid NOT NULL REFERENCES users (id),
  grantee_id  uuid NOT NULL REFERENCES users (id),
  role        text NOT NULL,
  unit_code   text NOT NULL REFERENCES org_units (code),
  sector      text,
  valid_from  timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  reason      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  revoked_by  uuid REFERENCES users (id),
  CHECK (valid_until > valid_from),
  CHECK (grantor_id <> grantee_id)
);
CREATE INDEX delegations_grantee ON delegations (grantee_id);
CREATE INDEX delegations_grantor ON delegations (grantor_id);

-- Login sessions (browser cookies) and bearer tokens. Only a hash of the secret is kept.
CREATE TABLE sessions (
  id           uuid PRIMARY KEY,
  token_hash   text NOT NULL UNIQUE,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('cookie', 'bearer')),
  csrf_token   text,
  ip           text,
  user_agent   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  revoked_at   timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Long-lived API keys of service accounts (data providers): shown once, stored hashed.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  prefix       text NOT NULL,
  secret_hash  text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- Device access tokens (ThingsBoard style): when set, and when last used.
ALTER TABLE devices
  ADD COLUMN token_created_at   timestamptz,
  ADD COLUMN token_last_used_at timestamptz;

-- The audit log: append-only, each entry hashing the previous one (see domain audit-chain.ts).
CREATE TABLE audit_log (
  seq               bigint PRIMARY KEY,
  at                timestamptz NOT NULL,
  actor_id          uuid,
  actor_name        text NOT NULL,
  on_behalf_of_id   uuid,
  on_behalf_of_name text,
  action            text NOT NULL,
  outcome           text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  unit_code         text,
  target            text,
  details           jsonb NOT NULL DEFAULT '{}',
  ip                text,
  user_agent        text,
  correlation_id    text,
  prev_hash         text NOT NULL,
  hash              text NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_unit ON audit_log (unit_code);
CREATE INDEX audit_log_action ON audit_log (action);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
