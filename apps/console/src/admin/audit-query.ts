import { fromCityInput } from './city-time.ts';

/** The audit log's filters as the form holds them (times in city wall-clock time). */
export interface AuditFilter {
  /** A user id. */
  actor: string;
  /** An action (`user.create`) or a prefix (`auth.*`). */
  action: string;
  unit: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { actor: '', action: '', unit: '', from: '', to: '' };

export const AUDIT_PAGE = 50;

/** Fields of the filter that cannot be sent (an unreadable time, an empty range). */
export function auditFilterProblems(f: AuditFilter): ('from' | 'to')[] {
  const from = f.from.trim() ? fromCityInput(f.from) : undefined;
  const to = f.to.trim() ? fromCityInput(f.to) : undefined;
  const out: ('from' | 'to')[] = [];
  if (f.from.trim() && !from) out.push('from');
  if (f.to.trim() && !to) out.push('to');
  if (from && to && Date.parse(to) <= Date.parse(from)) out.push('to');
  return out;
}

/** The query of GET /api/v1/audit for a filter and a page (`before`: entries older than this seq). */
export function auditQuery(f: AuditFilter, before?: number, limit = AUDIT_PAGE): Record<string, string | number | undefined> {
  return {
    actor: f.actor.trim() || undefined,
    action: f.action.trim() || undefined,
    unit: f.unit || undefined,
    from: f.from.trim() ? fromCityInput(f.from) : undefined,
    to: f.to.trim() ? fromCityInput(f.to) : undefined,
    before,
    limit,
  };
}

/**
 * Paging newest first by sequence number: the cursors of the pages seen so far (undefined: the
 * newest page). Older pages push the last seq of the current page; newer pages pop.
 */
export interface AuditPages {
  cursors: (number | undefined)[];
}

export const firstPage = (): AuditPages => ({ cursors: [undefined] });
export const currentCursor = (p: AuditPages): number | undefined => p.cursors.at(-1);
export const olderPage = (p: AuditPages, items: readonly { seq: number }[]): AuditPages => {
  const last = items.at(-1);
  return last ? { cursors: [...p.cursors, last.seq] } : p;
};
export const newerPage = (p: AuditPages): AuditPages => (p.cursors.length > 1 ? { cursors: p.cursors.slice(0, -1) } : p);
/** Whether an older page may exist: this one is full. */
export const hasOlder = (items: readonly unknown[], limit = AUDIT_PAGE): boolean => items.length >= limit;
