import { foldVietnamese, seriesAttributes, type AttributeSpec, type Device, type Sector } from '@haidang/domain';
import { sql, type Selectable } from 'kysely';
import type { DeviceFilter, DeviceStore, DeviceWrite, StoredDevice } from '../../services/ports.ts';
import { scopeWhere } from './scope-sql.ts';
import type { Db, DevicesTable } from './db.schema.ts';

const toDevice = (r: Selectable<DevicesTable>): Device => ({
  id: r.id,
  type: r.type,
  name: r.name,
  location: { lat: r.lat, lon: r.lon },
  unitCode: r.unit_code,
  sector: r.sector as Sector,
  apikey: r.apikey,
  attributes: r.attributes as AttributeSpec[],
});

/**
 * A series per declared and derived attribute (domain seriesAttributes), where missing; the series
 * of a dropped attribute stays, with its history. Returns how many were created.
 */
async function insertSeries(db: Db, devices: readonly Device[]): Promise<number> {
  const series = devices.flatMap((d) => seriesAttributes(d).map((attr) => ({ device_id: d.id, attr })));
  if (series.length === 0) return 0;
  const rows = await db.insertInto('series').values(series).onConflict((oc) => oc.columns(['device_id', 'attr']).doNothing()).returning('id').execute();
  return rows.length;
}

export class DeviceRepository implements DeviceStore {
  constructor(private readonly db: Db) {}

  async save(devices: DeviceWrite[], opts: { upsert: boolean }): Promise<void> {
    if (devices.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < devices.length; i += 500) {
        const chunk = devices.slice(i, i + 500);
        const rows = chunk.map(({ device: d, tokenHash }) => ({
          id: d.id,
          type: d.type,
          name: d.name,
          search_text: foldVietnamese(`${d.id} ${d.name}`),
          lat: d.location.lat,
          lon: d.location.lon,
          unit_code: d.unitCode,
          sector: d.sector,
          apikey: d.apikey,
          token_hash: tokenHash,
          token_created_at: tokenHash ? new Date() : null,
          attributes: JSON.stringify(d.attributes),
        }));
        let q = tx.insertInto('devices').values(rows);
        if (opts.upsert) {
          q = q.onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              type: eb.ref('excluded.type'),
              name: eb.ref('excluded.name'),
              search_text: eb.ref('excluded.search_text'),
              lat: eb.ref('excluded.lat'),
              lon: eb.ref('excluded.lon'),
              unit_code: eb.ref('excluded.unit_code'),
              sector: eb.ref('excluded.sector'),
              apikey: eb.ref('excluded.apikey'),
              token_hash: eb.ref('excluded.token_hash'),
              // A token that stays keeps its dates; a new one starts afresh.
              token_created_at: sql<Date | null>`CASE WHEN excluded.token_hash IS NOT DISTINCT FROM devices.token_hash THEN devices.token_created_at ELSE excluded.token_created_at END`,
              token_last_used_at: sql<Date | null>`CASE WHEN excluded.token_hash IS NOT DISTINCT FROM devices.token_hash THEN devices.token_last_used_at ELSE NULL END`,
              attributes: eb.ref('excluded.attributes'),
              updated_at: sql<Date>`now()`,
            })),
          );
        }
        await q.execute();
        await insertSeries(tx, chunk.map((w) => w.device));
      }
    });
  }

  async ensureSeries(devices: readonly Device[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < devices.length; i += 500) added += await insertSeries(this.db, devices.slice(i, i + 500));
    return added;
  }

  async setToken(id: string, tokenHash: string | null, at: number): Promise<void> {
    await this.db.updateTable('devices').set({ token_hash: tokenHash, token_created_at: tokenHash ? new Date(at) : null, token_last_used_at: null, updated_at: new Date(at) }).where('id', '=', id).execute();
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.db.updateTable('devices').set({ token_last_used_at: new Date(at) }).where('id', '=', id).execute();
  }

  async existing(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('devices').select('id').where('id', '=', sql<string>`ANY(${ids}::text[])`).execute();
    return rows.map((r) => r.id);
  }

  private async withSeries(rows: Selectable<DevicesTable>[]): Promise<StoredDevice[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const series = await this.db
      .selectFrom('series')
      .select(['id', 'device_id', 'attr'])
      .where('device_id', '=', sql<string>`ANY(${ids}::text[])`)
      .execute();
    const byDevice = new Map<string, Record<string, number>>();
    for (const s of series) {
      const m = byDevice.get(s.device_id) ?? {};
      m[s.attr] = s.id;
      byDevice.set(s.device_id, m);
    }
    return rows.map((r) => ({
      device: toDevice(r),
      tokenHash: r.token_hash,
      tokenCreatedAt: r.token_created_at,
      tokenLastUsedAt: r.token_last_used_at,
      series: byDevice.get(r.id) ?? {},
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async get(id: string): Promise<StoredDevice | undefined> {
    const row = await this.db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.withSeries([row]))[0] : undefined;
  }

  async getMany(ids: string[]): Promise<StoredDevice[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('devices').selectAll().where('id', '=', sql<string>`ANY(${ids}::text[])`).execute();
    return this.withSeries(rows);
  }

  async list(f: DeviceFilter): Promise<{ items: StoredDevice[]; total: number }> {
    let q = this.db.selectFrom('devices');
    if (f.unitCodes) q = q.where('unit_code', '=', sql<string>`ANY(${f.unitCodes}::text[])`);
    if (f.scopes) {
      const scopes = f.scopes;
      // The actor's scope: a device is listed when one of the scopes holds it.
      q = q.where((eb) => scopeWhere(eb, scopes, { unit: 'unit_code', sector: 'sector' }));
    }
    if (f.type) q = q.where('type', '=', f.type);
    if (f.sector) q = q.where('sector', '=', f.sector);
    if (f.apikey) q = q.where('apikey', '=', f.apikey);
    if (f.search) q = q.where('search_text', 'like', `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('id').limit(f.limit).offset(f.offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: await this.withSeries(rows), total: Number(count.n) };
  }

  async all(): Promise<StoredDevice[]> {
    return this.withSeries(await this.db.selectFrom('devices').selectAll().execute());
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const series = await tx.selectFrom('series').select('id').where('device_id', '=', id).execute();
      const ids = series.map((s) => s.id);
      if (ids.length) {
        for (const table of ['readings', 'rollup_1m', 'rollup_1h', 'latest'] as const) {
          await tx.deleteFrom(table).where('series_id', '=', sql<number>`ANY(${ids}::int[])`).execute();
        }
      }
      const res = await tx.deleteFrom('devices').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('devices').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
