import { CompiledQuery, sql } from 'kysely';
import type { LatestValue, ReadingStore, Resolution, SeriesPoint, SeriesReading } from '../../services/ports.ts';
import type { Db } from './db.schema.ts';

/** Epoch milliseconds → timestamptz, exact for whole milliseconds. */
const MS_TO_TS = `(timestamptz 'epoch' + ms * interval '1 millisecond')`;

/** Upsert of one rollup table from the rows just inserted (`ins`); late data merges in. */
const rollupCte = (table: 'rollup_1m' | 'rollup_1h', unit: 'minute' | 'hour') => `
  ${table}_w AS (
    INSERT INTO ${table} AS r (series_id, bucket, count, min, max, sum, last_ts, last_value)
    SELECT series_id, date_trunc('${unit}', ts), count(*), min(value), max(value), sum(value),
           max(ts), (array_agg(value ORDER BY ts DESC))[1]
    FROM ins GROUP BY 1, 2
    ORDER BY 1, 2 -- one lock order for every writer: concurrent batches cannot deadlock here
    ON CONFLICT (series_id, bucket) DO UPDATE SET
      count = r.count + excluded.count,
      min = least(r.min, excluded.min),
      max = greatest(r.max, excluded.max),
      sum = r.sum + excluded.sum,
      last_value = CASE WHEN excluded.last_ts >= r.last_ts THEN excluded.last_value ELSE r.last_value END,
      last_ts = greatest(r.last_ts, excluded.last_ts)
  )`;

/**
 * One statement writes raw readings, both rollups and the latest values: it commits whole or not
 * at all, and only readings that were new (not redeliveries) reach the rollups.
 */
const WRITE_SQL = `
WITH input AS (
  SELECT series_id, ${MS_TO_TS} AS ts, value
  FROM unnest($1::int[], $2::float8[], $3::float8[]) AS t(series_id, ms, value)
), ins AS (
  INSERT INTO readings (series_id, ts, value)
  SELECT series_id, ts, value FROM input ORDER BY series_id, ts
  ON CONFLICT DO NOTHING
  RETURNING series_id, ts, value
),
${rollupCte('rollup_1m', 'minute')},
${rollupCte('rollup_1h', 'hour')},
latest_w AS (
  INSERT INTO latest AS l (series_id, ts, value)
  SELECT DISTINCT ON (series_id) series_id, ts, value FROM ins ORDER BY series_id, ts DESC
  ON CONFLICT (series_id) DO UPDATE SET ts = excluded.ts, value = excluded.value
  WHERE excluded.ts >= l.ts
)
SELECT count(*)::int AS inserted FROM ins`;

const ms = (d: Date) => d.getTime();

export class ReadingRepository implements ReadingStore {
  constructor(private readonly db: Db) {}

  async write(readings: SeriesReading[]): Promise<number> {
    if (readings.length === 0) return 0;
    const ids = new Array<number>(readings.length);
    const tss = new Array<number>(readings.length);
    const values = new Array<number>(readings.length);
    readings.forEach((r, i) => {
      ids[i] = r.seriesId;
      tss[i] = r.ts;
      values[i] = r.value;
    });
    const out = await this.db.executeQuery(CompiledQuery.raw(WRITE_SQL, [ids, tss, values]));
    return (out.rows[0] as { inserted: number } | undefined)?.inserted ?? 0;
  }

  async latest(seriesIds: number[]): Promise<LatestValue[]> {
    if (seriesIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('latest')
      .select(['series_id', 'ts', 'value'])
      .where('series_id', '=', sql<number>`ANY(${seriesIds}::int[])`)
      .execute();
    return rows.map((r) => ({ seriesId: r.series_id, ts: ms(r.ts), value: r.value }));
  }

  async series(seriesId: number, q: { from: number; to: number; resolution: Resolution; limit: number }): Promise<SeriesPoint[]> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (q.resolution === 'raw') {
      const rows = await this.db
        .selectFrom('readings')
        .select(['ts', 'value'])
        .where('series_id', '=', seriesId)
        .where('ts', '>=', from)
        .where('ts', '<', to)
        .orderBy('ts')
        .limit(q.limit)
        .execute();
      return rows.map((r) => ({ ts: ms(r.ts), value: r.value }));
    }
    const table = q.resolution === '1m' ? 'rollup_1m' : 'rollup_1h';
    // Buckets that overlap [from, to): the one holding `from` starts before it.
    const size = q.resolution === '1m' ? 60_000 : 3_600_000;
    const bucketFrom = new Date(Math.floor(q.from / size) * size);
    const rows = await this.db
      .selectFrom(table)
      .select(['bucket', 'count', 'min', 'max', 'sum', 'last_value'])
      .where('series_id', '=', seriesId)
      .where('bucket', '>=', bucketFrom)
      .where('bucket', '<', to)
      .orderBy('bucket')
      .limit(q.limit)
      .execute();
    return rows.map((r) => ({
      ts: ms(r.bucket),
      value: r.last_value,
      count: r.count,
      min: r.min,
      max: r.max,
      avg: r.sum / r.count,
    }));
  }

  async purge(cutoffs: Partial<Record<Resolution, number>>): Promise<Record<Resolution, number>> {
    const deleted: Record<Resolution, number> = { raw: 0, '1m': 0, '1h': 0 };
    const targets = [
      ['raw', 'readings', 'ts'],
      ['1m', 'rollup_1m', 'bucket'],
      ['1h', 'rollup_1h', 'bucket'],
    ] as const;
    for (const [res, table, col] of targets) {
      const cutoff = cutoffs[res];
      if (cutoff === undefined) continue;
      // Bounded batches: a purge never holds locks long enough to stall ingestion.
      for (;;) {
        const r = await sql<{ n: number }>`
          WITH gone AS (
            DELETE FROM ${sql.table(table)} WHERE ctid IN (
              SELECT ctid FROM ${sql.table(table)} WHERE ${sql.ref(col)} < ${new Date(cutoff)} LIMIT 10000)
            RETURNING 1)
          SELECT count(*)::int AS n FROM gone`.execute(this.db);
        const n = r.rows[0]?.n ?? 0;
        deleted[res] += n;
        if (n < 10000) break;
      }
    }
    return deleted;
  }
}
