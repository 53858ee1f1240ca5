import { foldVietnamese, IocError, type Rule, type RuleDefinition } from '@haidang/domain';
import { sql, type Selectable } from 'kysely';
import type { RuleFilter, RuleStore, StoredRule } from '../../services/ports.ts';
import type { Db, RulesTable } from './db.schema.ts';

/** jsonb comes back parsed from both drivers; a string only if a parser was turned off. */
const parsed = (v: unknown): RuleDefinition => (typeof v === 'string' ? (JSON.parse(v) as RuleDefinition) : (v as RuleDefinition));

/** The definition as stored: the rule without its id and version (the row holds those). */
function definitionOf(rule: Rule): string {
  const { id: _id, version: _version, ...def } = rule;
  return JSON.stringify(def);
}

const toRule = (id: string, version: number, definition: unknown): Rule => ({ id, version, ...parsed(definition) });

const toStored = (r: Selectable<RulesTable>, activeFrom: Date): StoredRule => ({
  rule: toRule(r.id, r.version, r.definition),
  activeFrom: activeFrom.getTime(),
  createdBy: r.created_by,
  createdAt: r.created_at.getTime(),
  updatedAt: r.updated_at.getTime(),
  deletedAt: r.deleted_at ? r.deleted_at.getTime() : null,
});

const conflict = (id: string, message: string) => new IocError('IOC_ERR_CONFLICT', message, [{ field: 'version', reason: 'stale', message: `rule ${id}: ${message}` }]);

/**
 * Warning rules as versioned rows: `rules` holds the current version of each rule, `rule_versions`
 * every version ever saved (alerts cite the one that raised them). A save writes both in one
 * transaction; the current row is updated only from the version the caller read (optimistic
 * concurrency: a lost update is a 409, never a silent overwrite).
 */
export class RuleRepository implements RuleStore {
  constructor(private readonly db: Db) {}

  /** Current rows joined with their version's activeFrom. */
  private base() {
    return this.db
      .selectFrom('rules as r')
      .innerJoin('rule_versions as v', (j) => j.onRef('v.rule_id', '=', 'r.id').onRef('v.version', '=', 'r.version'))
      .selectAll('r')
      .select('v.active_from');
  }

  async list(f: RuleFilter): Promise<{ items: StoredRule[]; total: number }> {
    let q = this.db.selectFrom('rules').where('deleted_at', 'is', null);
    if (f.unitCodes) q = q.where('unit_code', '=', sql<string>`ANY(${[...f.unitCodes]}::text[])`);
    if (f.scopes) {
      const scopes = f.scopes;
      // The actor's scope: a rule is listed when one of the scopes holds it (a sector-limited
      // scope holds only the rules of that sector, never the all-sector ones).
      q =
        scopes.length === 0
          ? q.where(sql<boolean>`false`)
          : q.where((eb) =>
              eb.or(
                scopes.map((s) =>
                  eb.and([
                    ...(s.units === 'any' ? [] : 'in' in s.units ? [eb('unit_code', '=', sql<string>`ANY(${s.units.in}::text[])`)] : [eb('unit_code', '<>', sql<string>`ALL(${s.units.notIn}::text[])`)]),
                    ...(s.sector ? [eb('sector', '=', s.sector)] : []),
                  ]),
                ),
              ),
            );
    }
    if (f.sector) q = q.where('sector', '=', f.sector);
    if (f.enabled !== undefined) q = q.where('enabled', '=', f.enabled);
    let pageIds: string[] | undefined;
    let total: number;
    if (f.search) {
      // Names are bilingual JSON inside the definition: fold them here, as the device search does
      // in SQL over its search_text column. Rules are few (hundreds): one light pass over ids and names.
      const needle = f.search;
      const rows = await q.select(['id', sql<unknown>`definition->'name'`.as('name')]).orderBy('id').execute();
      const hits = rows
        .filter((r) => {
          const n = (typeof r.name === 'string' ? JSON.parse(r.name) : r.name) as { vi?: string; en?: string } | null;
          return foldVietnamese(`${r.id} ${n?.vi ?? ''} ${n?.en ?? ''}`).includes(needle);
        })
        .map((r) => r.id);
      total = hits.length;
      pageIds = hits.slice(f.offset, f.offset + f.limit);
      if (pageIds.length === 0) return { items: [], total };
    } else {
      total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    }
    let page = this.base().where('r.deleted_at', 'is', null);
    if (pageIds) page = page.where('r.id', '=', sql<string>`ANY(${pageIds}::text[])`);
    else page = page.where('r.id', 'in', q.select('id').orderBy('id').limit(f.limit).offset(f.offset));
    const rows = await page.orderBy('r.id').execute();
    return { items: rows.map((r) => toStored(r, r.active_from)), total };
  }

  async get(id: string): Promise<StoredRule | undefined> {
    const r = await this.base().where('r.id', '=', id).executeTakeFirst();
    return r ? toStored(r, r.active_from) : undefined;
  }

  async version(id: string, version: number): Promise<{ rule: Rule; activeFrom: number; createdBy: string | null } | undefined> {
    const r = await this.db.selectFrom('rule_versions').selectAll().where('rule_id', '=', id).where('version', '=', version).executeTakeFirst();
    return r ? { rule: toRule(r.rule_id, r.version, r.definition), activeFrom: r.active_from.getTime(), createdBy: r.created_by } : undefined;
  }

  async versions(id: string): Promise<{ version: number; activeFrom: number; createdBy: string | null }[]> {
    const rows = await this.db.selectFrom('rule_versions').select(['version', 'active_from', 'created_by']).where('rule_id', '=', id).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ version: r.version, activeFrom: r.active_from.getTime(), createdBy: r.created_by }));
  }

  /**
   * `rule.version` 1 inserts a new rule (409 when the id is taken, deleted rules included: their
   * alerts still cite it). Any other version updates the current row from `rule.version − 1`
   * (and from `expectedVersion` when given): 409 when another save came first or the rule is deleted.
   */
  async save(rule: Rule, opts: { activeFrom: number; by: string | null; expectedVersion?: number }): Promise<void> {
    const definition = definitionOf(rule);
    const at = new Date(opts.activeFrom);
    await this.db.transaction().execute(async (tx) => {
      if (rule.version === 1) {
        if (opts.expectedVersion !== undefined && opts.expectedVersion !== 0) throw conflict(rule.id, `version ${opts.expectedVersion} was expected, the rule is new`);
        const res = await tx
          .insertInto('rules')
          .values({ id: rule.id, version: 1, definition, unit_code: rule.unitCode, sector: rule.sector ?? null, enabled: rule.enabled, created_by: opts.by, created_at: at, updated_at: at, deleted_at: null })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) throw new IocError('IOC_ERR_CONFLICT', `a rule ${rule.id} exists already`, [{ field: 'id', reason: 'exists', message: `a rule ${rule.id} exists already` }]);
      } else {
        const from = rule.version - 1;
        if (opts.expectedVersion !== undefined && opts.expectedVersion !== from) throw conflict(rule.id, `version ${opts.expectedVersion} cannot become version ${rule.version}`);
        const res = await tx
          .updateTable('rules')
          .set({ version: rule.version, definition, unit_code: rule.unitCode, sector: rule.sector ?? null, enabled: rule.enabled, updated_at: at })
          .where('id', '=', rule.id)
          .where('version', '=', from)
          .where('deleted_at', 'is', null)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 0) throw conflict(rule.id, `the rule is no longer at version ${from}: it was changed or deleted meanwhile; read it again`);
      }
      await tx.insertInto('rule_versions').values({ rule_id: rule.id, version: rule.version, definition, active_from: at, created_by: opts.by }).execute();
    });
  }

  async delete(id: string, at: number): Promise<boolean> {
    const res = await this.db.updateTable('rules').set({ deleted_at: new Date(at), updated_at: new Date(at) }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async active(): Promise<StoredRule[]> {
    const rows = await this.base().where('r.deleted_at', 'is', null).where('r.enabled', '=', true).orderBy('r.id').execute();
    return rows.map((r) => toStored(r, r.active_from));
  }
}
