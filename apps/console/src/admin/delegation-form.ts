import { checkDelegation, type FieldError, fieldError, type Grant, type OrgTree, type Role, type Sector } from '@haidang/domain';
import { delegableGrants } from './admin-access.ts';
import { fromCityInput, toCityInput } from './city-time.ts';

const DAY = 86_400_000;

/** A delegation as the form edits it; times are the city's wall clock ("2026-11-25T07:30"). */
export interface DelegationDraft {
  granteeId: string;
  role: Role | '';
  unitCode: string;
  sector: Sector | null;
  /** Empty: from now. */
  from: string;
  until: string;
  reason: string;
}

/** A blank delegation: the first role one may lend, over its whole scope, for a week from now. */
export function emptyDelegation(grants: readonly Grant[], now: number): DelegationDraft {
  const g = delegableGrants(grants)[0];
  return { granteeId: '', role: g?.role ?? '', unitCode: g?.unitCode ?? '', sector: g?.sector ?? null, from: '', until: toCityInput(now + 7 * DAY), reason: '' };
}

/** The request body (POST /api/v1/delegations). */
export function delegationBody(d: DelegationDraft): Record<string, unknown> {
  const from = d.from.trim() ? fromCityInput(d.from) : undefined;
  return { granteeId: d.granteeId.trim(), role: d.role, unitCode: d.unitCode, sector: d.sector, ...(from ? { validFrom: from } : {}), validUntil: fromCityInput(d.until) ?? d.until, reason: d.reason.trim() };
}

/**
 * The problems of a draft, by field as the API names them — the domain's own check (the same role,
 * within one's own scope, at most 90 days, a reason), run as one types.
 */
export function delegationProblems(d: DelegationDraft, me: { id: string; kind: 'person' | 'service' }, grants: readonly Grant[], tree: OrgTree, now: number): FieldError[] {
  const errs: FieldError[] = [];
  const from = d.from.trim() ? fromCityInput(d.from) : undefined;
  const until = fromCityInput(d.until);
  if (d.from.trim() && !from) errs.push(fieldError('validFrom', 'bad_timestamp', 'a date and time'));
  if (!until) errs.push(fieldError('validUntil', 'bad_timestamp', 'a date and time'));
  const granteeId = d.granteeId.trim();
  if (!granteeId) errs.push(fieldError('granteeId', 'required', 'choose the person to delegate to'));
  const own = grants.filter((g) => !g.delegation).map((g) => ({ role: g.role, unitCode: g.unitCode, sector: g.sector }));
  const request = { granteeId, role: d.role as Role, unitCode: d.unitCode, sector: d.sector, validFrom: from ? Date.parse(from) : now, validUntil: until ? Date.parse(until) : Number.NaN, reason: d.reason };
  const checked = checkDelegation(tree, { userId: me.id, kind: me.kind, assignments: own }, granteeId ? { userId: granteeId, kind: 'person' } : undefined, request, now);
  // An unreadable time is reported above, and the grantee's existence is the server's to say.
  return [...errs, ...checked.filter((e) => !(e.reason === 'bad_timestamp' || (e.field === 'granteeId' && e.reason === 'unknown_user')))];
}
