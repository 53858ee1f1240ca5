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
