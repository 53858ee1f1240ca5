import type { ColumnType, Generated, Kysely } from 'kysely';

/** Table types of the PostgreSQL schema (see migrations/); the only place SQL types are spelled. */
export interface OrgUnitsTable {
  code: string;
  name_vi: string;
  name_en: string;
  kind: string;
  parent_code: string | null;
  created_at: ColumnType<Date, never, never>;
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
