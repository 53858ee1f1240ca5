import type { OrgUnitKind, Sector } from '@haidang/domain';
import { sql } from 'kysely';
import type { GeoGeometry, OrgUnit, OrgUnitStore } from '../../services/ports.ts';
import type { Db } from './db.schema.ts';

const toRow = (u: OrgUnit) => ({
  code: u.code,
  name_vi: u.name.vi,
  name_en: u.name.en,
  kind: u.kind,
  parent_code: u.parent,
  sector: u.sector ?? null,
  geometry: u.geometry ? JSON.stringify(u.geometry) : null,
  status: u.status ?? 'active',
  successor_code: u.successor ?? null,
});

export class OrgUnitRepository implements OrgUnitStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<OrgUnit[]> {
    const rows = await this.db.selectFrom('org_units').selectAll().orderBy('code').execute();
    return rows.map((r) => ({
      code: r.code,
      name: { vi: r.name_vi, en: r.name_en },
      kind: r.kind as OrgUnitKind,
      parent: r.parent_code,
      sector: r.sector as Sector | null,
      geometry: (r.geometry as GeoGeometry | null) ?? null,
      status: r.status,
      successor: r.successor_code,
      retiredAt: r.retired_at ? r.retired_at.toISOString() : null,
    }));
  }

  async insertMissing(units: OrgUnit[]): Promise<number> {
    if (units.length === 0) return 0;
    // One statement: the foreign keys (parent, successor) are checked at its end.
    const res = await this.db
      .insertInto('org_units')
      .values(units.map(toRow))
      .onConflict((oc) => oc.column('code').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0);
  }

  async upsert(units: OrgUnit[]): Promise<void> {
    if (units.length === 0) return;
    await this.db
      .insertInto('org_units')
      .values(units.map(toRow))
      .onConflict((oc) =>
        oc.column('code').doUpdateSet((eb) => ({
          name_vi: eb.ref('excluded.name_vi'),
          name_en: eb.ref('excluded.name_en'),
          kind: eb.ref('excluded.kind'),
          parent_code: eb.ref('excluded.parent_code'),
          sector: eb.ref('excluded.sector'),
          geometry: eb.ref('excluded.geometry'),
          status: eb.ref('excluded.status'),
          successor_code: eb.ref('excluded.successor_code'),
          // The first retirement keeps its date; reactivation clears it.
          retired_at: sql<Date | null>`CASE WHEN excluded.status = 'retired' THEN coalesce(org_units.retired_at, now()) ELSE NULL END`,
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }

  async delete(code: string): Promise<void> {
    await this.db.deleteFrom('org_units').where('code', '=', code).execute();
  }

  async usage(code: string): Promise<{ devices: number; users: number; assignments: number; delegations: number; children: number }> {
    const { rows } = await sql<{ devices: number; users: number; assignments: number; delegations: number; children: number }>`
      SELECT (SELECT count(*)::int FROM devices WHERE unit_code = ${code}) AS devices,
             (SELECT count(*)::int FROM users WHERE unit_code = ${code}) AS users,
             (SELECT count(*)::int FROM role_assignments WHERE unit_code = ${code}) AS assignments,
             (SELECT count(*)::int FROM delegations WHERE unit_code = ${code}) AS delegations,
             (SELECT count(*)::int FROM org_units WHERE parent_code = ${code} OR successor_code = ${code}) AS children`.execute(this.db);
    return rows[0]!;
  }

  async getSetting(key: string): Promise<unknown> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
      .execute();
  }
}
