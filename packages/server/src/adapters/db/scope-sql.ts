import { type ExpressionBuilder, type Expression, type SqlBool, sql } from 'kysely';
import type { UnitCondition } from '@haidang/domain';

/**
 * The caller's scope as a WHERE condition on a table's unit and sector columns: a row is in
 * scope when one of the conditions holds it (see domain scopeConditions). No conditions: nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function scopeWhere(eb: ExpressionBuilder<any, any>, scopes: readonly UnitCondition[], columns: { unit: string; sector: string }): Expression<SqlBool> {
  if (scopes.length === 0) return sql<SqlBool>`false`;
  return eb.or(
    scopes.map((s) =>
      eb.and([
        ...(s.units === 'any'
          ? []
          : 'in' in s.units
            ? [eb(sql.ref(columns.unit), '=', sql<string>`ANY(${s.units.in}::text[])`)]
            : [eb(sql.ref(columns.unit), '<>', sql<string>`ALL(${s.units.notIn}::text[])`)]),
        ...(s.sector ? [eb(sql.ref(columns.sector), '=', s.sector)] : []),
      ]),
    ),
  );
}
