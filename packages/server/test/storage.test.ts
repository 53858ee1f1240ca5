/**
 * The storage suite: the same tests on PGlite and on PostgreSQL. Repositories are exercised
 * directly, with the real SQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/adapters/db/db.schema.ts';
import { DeviceRepository } from '../src/adapters/db/device.repository.ts';
import { migrate } from '../src/adapters/db/migrate.ts';
import { OrgUnitRepository } from '../src/adapters/db/org-unit.repository.ts';
import { ReadingRepository } from '../src/adapters/db/reading.repository.ts';
import type { SeriesReading } from '../src/services/ports.ts';
import { backends } from './support/databases.ts';
import { UNITS, rainGauge } from './support/fixtures.ts';

const T0 = Date.UTC(2026, 10, 25, 0, 0, 0);
const MIN = 60_000;
const HOUR = 3_600_000;

/** Rollup of raw readings computed the slow, obvious way, to compare with what SQL kept. */
function expectedRollup(rows: SeriesReading[], bucketMs: number) {
  const m = new Map<number, { count: number; min: number; max: number; sum: number; lastTs: number; last: number }>();
  for (const r of rows) {
    const b = Math.floor(r.ts / bucketMs) * bucketMs;
    const e = m.get(b);
    if (!e) m.set(b, { count: 1, min: r.value, max: r.value, sum: r.value, lastTs: r.ts, last: r.value });
    else {
      e.count++;
      e.min = Math.min(e.min, r.value);
      e.max = Math.max(e.max, r.value);
      e.sum += r.value;
      if (r.ts >= e.lastTs) {
        e.lastTs = r.ts;
        e.last = r.value;
      }
    }
  }
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

for (const backend of await backends()) {
  describe(`storage on ${backend.name}`, { skip: backend.skip }, () => {
    let database: Database;
    let devices: DeviceRepository;
    let readings: ReadingRepository;
    let seriesA: number;
    let seriesB: number;

    before(async () => {
      database = await backend.open();
      await new OrgUnitRepository(database.db).insertMissing(UNITS);
      devices = new DeviceRepository(database.db);
      readings = new ReadingRepository(database.db);
      await devices.save([{ device: rainGauge('rg-a'), tokenHash: null }, { device: rainGauge('rg-b', '20263'), tokenHash: 'h-b' }], { upsert: false });
      seriesA = (await devices.get('rg-a'))!.series.rain!;
      seriesB = (await devices.get('rg-b'))!.series.rain!;
    });
    after(async () => {
      await database?.close();
    });

    it('applies migrations once', async () => {
      assert.deepEqual(await migrate(database), []);
    });

    it('inserts only the missing org units', async () => {
      const repo = new OrgUnitRepository(database.db);
      assert.equal(await repo.insertMissing(UNITS), 0);
      const units = await repo.list();
      assert.equal(units.length, UNITS.length);
      assert.deepEqual(units.find((u) => u.code === '20233'), { ...UNITS[2], sector: null, geometry: null, status: 'active', successor: null, retiredAt: null });
    });

    it('stores devices with a series per attribute, and finds them by filters and folded text', async () => {
      const a = await devices.get('rg-a');
      assert.equal(a?.device.name, 'Trạm đo mưa rg-a');
      assert.equal(a?.tokenHash, null);
      assert.equal((await devices.get('rg-b'))?.tokenHash, 'h-b');
      assert.equal(await devices.get('nope'), undefined);
      const inHaiChau = await devices.list({ unitCodes: ['492', '20233', '20236'], limit: 10, offset: 0 });
      assert.deepEqual(inHaiChau.items.map((d) => d.device.id), ['rg-a']);
      assert.equal((await devices.list({ search: 'tram do mua', limit: 10, offset: 0 })).total, 2);
      assert.equal((await devices.list({ search: "x' OR 1=1 --", limit: 10, offset: 0 })).total, 0);
      assert.equal((await devices.list({ search: '%', limit: 10, offset: 0 })).total, 0, '% is a literal, not a wildcard');
      assert.deepEqual((await devices.list({ type: 'rain_gauge', limit: 1, offset: 1 })).items.map((d) => d.device.id), ['rg-b']);
      assert.deepEqual(await devices.existing(['rg-a', 'zz']), ['rg-a']);
    });

    it('refuses a whole batch when one device breaks a constraint', async () => {
      await assert.rejects(devices.save([{ device: rainGauge('rg-new'), tokenHash: null }, { device: rainGauge('rg-bad', 'no-such-unit'), tokenHash: null }], { upsert: false }));
      assert.equal(await devices.get('rg-new'), undefined, 'nothing half-written');
    });

    it('upserts a device, keeping the series of its attributes', async () => {
      const d = rainGauge('rg-a');
      d.name = 'Đổi tên';
      await devices.save([{ device: d, tokenHash: null }], { upsert: true });
      const got = await devices.get('rg-a');
      assert.equal(got?.device.name, 'Đổi tên');
      assert.equal(got?.series.rain, seriesA);
    });

    it('writes readings with rollups and latest, and ignores redelivered ones', async () => {
      const rows: SeriesReading[] = [];
      for (let i = 0; i < 180; i++) rows.push({ seriesId: seriesA, ts: T0 + i * 20_000, value: (i * 7) % 13 });
      // Out of order: write the second half first, then the first half, then everything again.
      assert.equal(await readings.write(rows.slice(90)), 90);
      assert.equal(await readings.write(rows.slice(0, 90)), 90);
      assert.equal(await readings.write(rows), 0, 'a redelivery is a no-op');

      const minutes = await readings.series(seriesA, { from: T0, to: T0 + HOUR, resolution: '1m', limit: 1000 });
      const want = expectedRollup(rows, MIN);
      assert.equal(minutes.length, want.length);
      minutes.forEach((p, i) => {
        const [bucket, e] = want[i]!;
        assert.equal(p.ts, bucket);
        assert.equal(p.count, e.count);
        assert.equal(p.min, e.min);
        assert.equal(p.max, e.max);
        assert.ok(Math.abs(p.avg! - e.sum / e.count) < 1e-9);
        assert.equal(p.value, e.last);
      });
      const hours = await readings.series(seriesA, { from: T0, to: T0 + 2 * HOUR, resolution: '1h', limit: 10 });
      assert.equal(hours.length, 1);
      assert.equal(hours[0]!.count, 180);
      assert.equal(hours[0]!.value, rows.at(-1)!.value);

      const [latest] = await readings.latest([seriesA]);
      assert.deepEqual(latest, { seriesId: seriesA, ts: rows.at(-1)!.ts, value: rows.at(-1)!.value });
    });

    it('corrects rollups with late data without moving the latest value back', async () => {
      const late = { seriesId: seriesA, ts: T0 + 30 * MIN + 1, value: 100 };
      assert.equal(await readings.write([late]), 1);
      const [bucket] = await readings.series(seriesA, { from: T0 + 30 * MIN, to: T0 + 31 * MIN, resolution: '1m', limit: 5 });
      assert.equal(bucket!.max, 100);
      assert.equal(bucket!.count, 4);
      const [latest] = await readings.latest([seriesA]);
      assert.notEqual(latest!.value, 100, 'an older reading does not replace the latest');
    });

    it('keeps several series apart and returns raw readings in a half-open range, limited', async () => {
      await readings.write([
        { seriesId: seriesB, ts: T0, value: 1 },
        { seriesId: seriesB, ts: T0 + MIN, value: 2 },
        { seriesId: seriesB, ts: T0 + 2 * MIN, value: 3 },
      ]);
      const raw = await readings.series(seriesB, { from: T0, to: T0 + 2 * MIN, resolution: 'raw', limit: 100 });
      assert.deepEqual(raw, [
        { ts: T0, value: 1 },
        { ts: T0 + MIN, value: 2 },
      ]);
      assert.equal((await readings.series(seriesB, { from: T0, to: T0 + HOUR, resolution: 'raw', limit: 2 })).length, 2);
      assert.equal((await readings.latest([seriesA, seriesB])).length, 2);
    });

    it('keeps rollups exact under concurrent writers', async () => {
      const base = T0 + 5 * HOUR;
      const batches = Array.from({ length: 8 }, (_, b) =>
        Array.from({ length: 200 }, (_, i) => ({ seriesId: i % 2 ? seriesA : seriesB, ts: base + b * 200 + i, value: 1 })),
      );
      const inserted = await Promise.all(batches.map((rows) => readings.write(rows)));
      assert.equal(inserted.reduce((a, b) => a + b, 0), 1600);
      const [hA] = await readings.series(seriesA, { from: base, to: base + HOUR, resolution: '1h', limit: 5 });
      const [hB] = await readings.series(seriesB, { from: base, to: base + HOUR, resolution: '1h', limit: 5 });
      assert.equal(hA!.count! + hB!.count!, 1600);
      assert.equal(hA!.avg! * hA!.count!, 800);
    });

    it('purges by retention per resolution', async () => {
      const deleted = await readings.purge({ raw: T0 + 90 * 20_000 });
      assert.equal(deleted.raw, 90 + 3); // first half of series A and the three of series B
      assert.equal(deleted['1m'], 0);
      assert.equal((await readings.series(seriesA, { from: T0, to: T0 + HOUR, resolution: '1m', limit: 1000 })).length > 0, true, 'rollups outlive raw data');
      const d2 = await readings.purge({ '1m': T0 + HOUR, '1h': T0 + HOUR });
      assert.ok(d2['1m'] > 0);
      assert.equal(d2['1h'], 2); // hour T0 of both series
    });

    it('deletes a device with its series and data', async () => {
      assert.equal(await devices.delete('rg-b'), true);
      assert.equal(await devices.delete('rg-b'), false);
      assert.deepEqual(await readings.latest([seriesB]), []);
      assert.deepEqual(await readings.series(seriesB, { from: 0, to: T0 + 10 * HOUR, resolution: 'raw', limit: 10 }), []);
      assert.equal(await devices.count(), 1);
    });
  });
}
