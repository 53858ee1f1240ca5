import type { ColumnType, Generated, Kysely } from 'kysely';

/** Table types of the PostgreSQL schema (see migrations/); the only place SQL types are spelled. */
export interface OrgUnitsTable {
  code: string;
  name_vi: string;
  name_en: string;
  kind: string;
  parent_code: string | null;
  sector: string | null;
  geometry: ColumnType<unknown, string | null, string | null>;
  status: ColumnType<'active' | 'retired', 'active' | 'retired' | undefined, 'active' | 'retired'>;
  successor_code: string | null;
  retired_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  kind: 'person' | 'service';
  unit_code: string;
  password_hash: string | null;
  password_changed_at: Date | null;
  failed_logins: ColumnType<number, number | undefined, number>;
  last_failed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  locked_until: Date | null;
  disabled_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RoleAssignmentsTable {
  id: string;
  user_id: string;
  role: string;
  unit_code: string;
  sector: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface DelegationsTable {
  id: string;
  grantor_id: string;
  grantee_id: string;
  role: string;
  unit_code: string;
  sector: string | null;
  valid_from: Date;
  valid_until: Date;
  reason: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  revoked_at: Date | null;
  revoked_by: string | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  kind: 'cookie' | 'bearer';
  csrf_token: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface AuditLogTable {
  seq: number;
  at: Date;
  actor_id: string | null;
  actor_name: string;
  on_behalf_of_id: string | null;
  on_behalf_of_name: string | null;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  unit_code: string | null;
  target: string | null;
  details: ColumnType<unknown, string, never>;
  ip: string | null;
  user_agent: string | null;
  correlation_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface DevicesTable {
  id: string;
  type: string;
  name: string;
  search_text: string;
  lat: number;
  lon: number;
  unit_code: string;
  sector: string;
  apikey: string;
  token_hash: string | null;
  token_created_at: Date | null;
  token_last_used_at: Date | null;
  attributes: ColumnType<unknown, string, string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface SeriesTable {
  id: Generated<number>;
  device_id: string;
  attr: string;
}

export interface ReadingsTable {
  series_id: number;
  ts: Date;
  value: number;
}

export interface RollupTable {
  series_id: number;
  bucket: Date;
  count: number;
  min: number;
  max: number;
  sum: number;
  last_ts: Date;
  last_value: number;
}

export interface LatestTable {
  series_id: number;
  ts: Date;
  value: number;
}

export interface RulesTable {
  id: string;
  version: number;
  definition: ColumnType<unknown, string, string>;
  unit_code: string;
  sector: string | null;
  enabled: boolean;
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  deleted_at: Date | null;
}

export interface RuleVersionsTable {
  rule_id: string;
  version: number;
  definition: ColumnType<unknown, string, string>;
  active_from: Date;
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface AlertsTable {
  id: Generated<string>;
  rule_id: string;
  rule_version: number;
  subject: string;
  device_id: string | null;
  unit_code: string;
  sector: string | null;
  owner_unit: string;
  state: 'open' | 'acknowledged' | 'resolved' | 'closed';
  severity: string;
  title_vi: string;
  title_en: string;
  opened_at: Date;
  first_ts: Date;
  last_ts: Date;
  count: ColumnType<number, number | undefined, number>;
  first_value: number | null;
  last_value: number | null;
  peak_value: number | null;
  acked_at: Date | null;
  acked_by: string | null;
  assignee: string | null;
  escalated_at: Date | null;
  escalated_to: string | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  closed_by: string | null;
  cleared_ts: Date | null;
  reopen_count: ColumnType<number, number | undefined, number>;
  evidence: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface AlertEventsTable {
  id: Generated<string>;
  alert_id: string;
  at: Date;
  kind: string;
  actor_id: string | null;
  actor: string | null;
  data: ColumnType<unknown, string | undefined, never>;
}

export interface MaintenanceWindowsTable {
  id: string;
  device_id: string | null;
  unit_code: string | null;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  cancelled_at: Date | null;
}

export interface Schema {
  org_units: OrgUnitsTable;
  devices: DevicesTable;
  series: SeriesTable;
  readings: ReadingsTable;
  rollup_1m: RollupTable;
  rollup_1h: RollupTable;
  latest: LatestTable;
  settings: SettingsTable;
  users: UsersTable;
  role_assignments: RoleAssignmentsTable;
  delegations: DelegationsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  rules: RulesTable;
  rule_versions: RuleVersionsTable;
  alerts: AlertsTable;
  alert_events: AlertEventsTable;
  maintenance_windows: MaintenanceWindowsTable;
}

export type Db = Kysely<Schema>;

/** An open database: the typed query layer, a script runner for migrations, and its mode. */
export interface Database {
  readonly db: Db;
  readonly mode: 'embedded' | 'server';
  /** Runs a multi-statement SQL script (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}
