import type { OrgUnit, OrgUnitStore } from '../../services/ports.ts';
import type { Db } from './db.schema.ts';

export class OrgUnitRepository implements OrgUnitStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<OrgUnit[]> {
    const rows = await this.db.selectFrom('org_units').selectAll().orderBy('code').execute();
    return rows.map((r) => ({ code: r.code, name: { vi: r.name_vi, en: r.name_en }, kind: r.kind, parent: r.parent_code }));
  }

  async insertMissing(units: OrgUnit[]): Promise<number> {
    if (units.length === 0) return 0;
    // Parents first, so the foreign key holds row by row.
    const res = await this.db
      .insertInto('org_units')
      .values(units.map((u) => ({ code: u.code, name_vi: u.name.vi, name_en: u.name.en, kind: u.kind, parent_code: u.parent })))
      .onConflict((oc) => oc.column('code').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0);
  }
}
