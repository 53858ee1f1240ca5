import { filterAllows, placeOf, type ScopeFilter } from './access.ts';
import { checkKnownKeys, checkText, isObject } from './check.ts';
import type { Sector } from './device-types.ts';
import type { FieldError } from './errors.ts';
import type { OrgTree } from './org.ts';
import { type Checked, fail, fieldError, ok } from './result.ts';
import { SEVERITIES, type Route, type Severity } from './rule.ts';
import type { Bilingual } from './text.ts';

/**
 * The alert lifecycle: open → acknowledged → resolved (the condition cleared) or closed (an
 * operator, with a note). A resolved alert whose subject fires again within the rule's reopen
 * window opens again; a closed one stays closed. Only open and acknowledged alerts are active,
 * and there is at most one active alert per rule and subject.
 */

export const ALERT_STATES = ['open', 'acknowledged', 'resolved', 'closed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export const ACTIVE_STATES: readonly AlertState[] = ['open', 'acknowledged'];
export const isActive = (s: AlertState): boolean => s === 'open' || s === 'acknowledged';

export const ALERT_STATE_NAMES: Record<AlertState, Bilingual> = {
  open: { vi: 'Mới', en: 'Open' },
  acknowledged: { vi: 'Đã tiếp nhận', en: 'Acknowledged' },
  resolved: { vi: 'Đã hết', en: 'Resolved' },
  closed: { vi: 'Đã đóng', en: 'Closed' },
};

/** Kinds of timeline events (the SSE stream carries the same). */
export const ALERT_EVENT_KINDS = ['raised', 'reopened', 'severity', 'acknowledged', 'assigned', 'commented', 'escalated', 'resolved', 'closed', 'cleared'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

export type AlertAction = 'acknowledge' | 'assign' | 'comment' | 'close';

/** Why an operator action is refused in a state, or undefined when it is allowed. */
export function actionRefused(state: AlertState, action: AlertAction): string | undefined {
  switch (action) {
    case 'acknowledge':
      return state === 'open' ? undefined : `an ${state} alert cannot be acknowledged`;
    case 'assign':
      return isActive(state) ? undefined : `a ${state} alert cannot be assigned`;
    case 'close':
      return state === 'closed' ? 'the alert is already closed' : undefined;
    case 'comment':
      return undefined;
  }
}

/** Minutes without acknowledgement before an alert of each severity escalates; undefined = never. */
export type EscalationPolicy = Partial<Record<Severity, number>>;
export const DEFAULT_ESCALATION: EscalationPolicy = { extreme: 5, critical: 10, major: 30, minor: 120 };

/** Parses `extreme=5,critical=10,major=30,minor=120` (config); an empty string turns escalation off. */
export function parseEscalationPolicy(text: string): Checked<EscalationPolicy> {
  const out: EscalationPolicy = {};
  if (text.trim() === '') return ok(out);
  for (const part of text.split(',')) {
    const [k, v, ...rest] = part.split('=').map((x) => x.trim());
    if (!(SEVERITIES as readonly string[]).includes(k ?? '')) return fail([fieldError(k ?? '', 'bad_value', `unknown severity "${k}"; use ${SEVERITIES.join(', ')}`)]);
    // Plain decimal digits only: Number() would also take 0x1e, 3e1, +30 (and `major=30=60` would drop the rest).
    const n = rest.length === 0 && /^\d+$/.test(v ?? '') ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < 1 || n > 10_080) return fail([fieldError(k!, 'out_of_range', `${k}: minutes must be an integer 1..10080`)]);
    out[k as Severity] = n;
  }
  return ok(out);
}

/**
 * The unit an unacknowledged alert escalates to next: the parent of the unit it now sits with,
 * after `policy` minutes per level; undefined when it is not due or is already at the top.
 */
export function escalationDue(
  a: { state: AlertState; severity: Severity; openedAt: number; escalatedAt: number | null; escalatedTo: string | null; ownerUnit: string },
  policy: EscalationPolicy,
  tree: OrgTree,
  now: number,
): string | undefined {
  if (a.state !== 'open') return undefined;
  const minutes = policy[a.severity];
  if (minutes === undefined) return undefined;
  const since = a.escalatedAt ?? a.openedAt;
  if (now - since < minutes * 60_000) return undefined;
  const at = a.escalatedTo ?? a.ownerUnit;
  return tree.get(at)?.parent ?? undefined;
}

/**
 * The operation center that owns an alert. `area`: the unit just below the root on the path to
 * the subject's unit (a district OC in the 2023 layout; the ward or commune itself in the 2025
 * one, where they report to the city), or the root for a city-wide subject. `sector`: the
 * sector OC of that sector (a `sector_oc` unit), else the area's owner.
 */
export function ownerUnit(tree: OrgTree, sectorOcs: ReadonlyMap<Sector, string>, unitCode: string, sector: Sector | null, route: Route): string {
  if (route === 'sector' && sector) {
    const oc = sectorOcs.get(sector);
    if (oc) return oc;
  }
  const current = tree.current(unitCode) ?? unitCode;
  const path = tree.ancestors(current);
  return path.length >= 2 ? path[path.length - 2]! : (path[0] ?? unitCode);
}

export interface AlertActionInput {
  note?: string;
  assignee?: string | null;
}

const NOTE_MAX = 4000;

/** Checks the body of an operator action: a note (required to close and to comment), an assignee. */
export function validateAlertAction(action: AlertAction, input: unknown): Checked<AlertActionInput> {
  const body = input === undefined || input === null ? {} : input;
  if (!isObject(body)) return fail([fieldError('', 'wrong_type', 'the body must be a JSON object')]);
  const errors: FieldError[] = [];
  checkKnownKeys(errors, body, '', new Set(action === 'assign' ? ['assignee', 'note'] : ['note']));
  const note = checkText(errors, body, '', 'note', { max: NOTE_MAX, optional: action !== 'close' && action !== 'comment' });
  let assignee: string | null | undefined;
  if (action === 'assign') {
    if (body.assignee === null) assignee = null;
    else assignee = checkText(errors, body, '', 'assignee', { max: 64 });
  }
  if (errors.length) return fail(errors);
  return ok({ ...(note !== undefined && { note }), ...(assignee !== undefined && { assignee }) });
}

/** Whether a scope sees an alert, by its place (an area alert without a sector: all-sector grants only). */
export const alertVisible = (f: ScopeFilter, a: { unitCode: string; sector: Sector | null }): boolean => filterAllows(f, placeOf(a));
