import type { OrgTree, Severity } from '@haidang/domain';
import type { AlertStateName, AlertView } from '../api/types.ts';

export type StateFilter = 'active' | 'all' | AlertStateName;

export interface AlertFilter {
  state: StateFilter;
  /** Empty: every severity. */
  severities: Severity[];
  unit: string | undefined;
  sector: string | undefined;
  escalated: boolean;
}

export const DEFAULT_FILTER: AlertFilter = { state: 'active', severities: [], unit: undefined, sector: undefined, escalated: false };

/** The query of `GET /api/v1/alerts` for a filter. */
export function filterQuery(f: AlertFilter): Record<string, string | boolean | undefined> {
  return {
    state: f.state === 'all' ? undefined : f.state,
    severity: f.severities.length ? f.severities.join(',') : undefined,
    unit: f.unit,
    sector: f.sector,
    escalated: f.escalated ? true : undefined,
  };
}

const isActive = (s: AlertStateName) => s === 'open' || s === 'acknowledged';

/** Whether an alert (as the live stream sends it) belongs in a list with this filter. */
export function matchesFilter(a: AlertView, f: AlertFilter, tree: OrgTree): boolean {
  if (f.state === 'active' ? !isActive(a.state) : f.state !== 'all' && a.state !== f.state) return false;
  if (f.severities.length && !f.severities.includes(a.severity)) return false;
  if (f.unit && !tree.covers(f.unit, a.unitCode)) return false;
  if (f.sector && a.sector !== f.sector) return false;
  if (f.escalated && !a.escalated) return false;
  return true;
}

/** The list's order, the API's: the most recently opened first. */
export function compareAlerts(a: AlertView, b: AlertView): number {
  return b.openedAt.localeCompare(a.openedAt) || Number(b.id) - Number(a.id);
}

/**
 * A live event applied to the list shown: the alert is updated in place, added if it now matches
 * (a new or reopened alert), or taken out if it no longer does (resolved under "active").
 * Returns the new list and the change in the total.
 */
export function applyLiveAlert(list: readonly AlertView[], a: AlertView, f: AlertFilter, tree: OrgTree): { items: AlertView[]; totalDelta: number } {
  const at = list.findIndex((x) => x.id === a.id);
  const fits = matchesFilter(a, f, tree);
  if (at >= 0 && fits) return { items: list.map((x, i) => (i === at ? a : x)), totalDelta: 0 };
  if (at >= 0) return { items: list.filter((_, i) => i !== at), totalDelta: -1 };
  if (fits) return { items: [...list, a].sort(compareAlerts), totalDelta: 1 };
  return { items: [...list], totalDelta: 0 };
}
