import type { Selectable } from 'kysely';
import type { MaintenanceStore, MaintenanceWindow } from '../../services/maintenance.service.ts';
import type { Db, MaintenanceWindowsTable } from './db.schema.ts';

const toWindow = (r: Selectable<MaintenanceWindowsTable>): MaintenanceWindow => ({
  id: r.id,
  deviceId: r.device_id,
  unitCode: r.unit_code,
  startsAt: r.starts_at.getTime(),
  endsAt: r.ends_at.getTime(),
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at.getTime(),
  cancelledAt: r.cancelled_at ? r.cancelled_at.getTime() : null,
});

/** Maintenance windows (migration 004). A window of a deleted device goes with it (ON DELETE CASCADE). */
export class MaintenanceRepository implements MaintenanceStore {
  constructor(private readonly db: Db) {}

  async insert(w: Omit<MaintenanceWindow, 'createdAt' | 'cancelledAt'>): Promise<void> {
    await this.db
      .insertInto('maintenance_windows')
      .values({ id: w.id, device_id: w.deviceId, unit_code: w.unitCode, starts_at: new Date(w.startsAt), ends_at: new Date(w.endsAt), reason: w.reason, created_by: w.createdBy, cancelled_at: null })
      .execute();
  }

  async get(id: string): Promise<MaintenanceWindow | undefined> {
    const r = await this.db.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toWindow(r) : undefined;
  }

  async endingAfter(after: number): Promise<MaintenanceWindow[]> {
    const rows = await this.db.selectFrom('maintenance_windows').selectAll().where('ends_at', '>', new Date(after)).orderBy('starts_at').orderBy('id').execute();
    return rows.map(toWindow);
  }

  async cancel(id: string, at: number): Promise<boolean> {
    const res = await this.db.updateTable('maintenance_windows').set({ cancelled_at: new Date(at) }).where('id', '=', id).where('cancelled_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
