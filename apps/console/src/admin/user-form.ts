import { checkPassword, type Grant, type OrgTree, type Role } from '@haidang/domain';
import { allows } from '../auth/permissions.ts';
import { assignmentProblems, type AssignmentDraft, assignmentsBody } from './assignments.ts';
import type { Problem } from './form-errors.ts';

/** A new user as the form edits it. */
export interface UserDraft {
  username: string;
  displayName: string;
  kind: 'person' | 'service';
  unitCode: string;
  password: string;
  assignments: AssignmentDraft[];
}

/** A blank person homed at `unitCode`, with one role there. */
export const emptyUser = (unitCode: string, role: Role = 'oc_operator'): UserDraft => ({
  username: '',
  displayName: '',
  kind: 'person',
  unitCode,
  password: '',
  assignments: [{ role, unitCode, sector: null }],
});

/** A person or a service account (a service account holds the data_provider role only, and has no password). */
export function withKind(d: UserDraft, kind: 'person' | 'service'): UserDraft {
  const role: Role = kind === 'service' ? 'data_provider' : 'oc_operator';
  return { ...d, kind, password: kind === 'service' ? '' : d.password, assignments: d.assignments.map((a) => ({ ...a, role: kind === 'service' ? 'data_provider' : a.role === 'data_provider' ? role : a.role })) };
}

/** The problems the console can see before asking the server (which checks again, and more). */
export function userProblems(d: UserDraft, grants: readonly Grant[], tree: OrgTree): Problem[] {
  const out: Problem[] = [];
  const username = d.username.trim().toLowerCase();
  if (!username) out.push({ field: 'username', reason: 'required' });
  if (!d.displayName.trim()) out.push({ field: 'displayName', reason: 'required' });
  if (tree.get(d.unitCode)?.status !== 'active') out.push({ field: 'unitCode', reason: 'unknown_unit' });
  else if (!allows(grants, tree, 'user.manage', { unitCode: d.unitCode })) out.push({ field: 'unitCode', reason: 'exceeds_own' });
  if (d.kind === 'person') out.push(...checkPassword(d.password, { username }));
  out.push(...assignmentProblems(d.assignments, grants, tree, d.kind));
  return out;
}

/** The request body (POST /api/v1/users). */
export function userBody(d: UserDraft): Record<string, unknown> {
  return {
    username: d.username.trim().toLowerCase(),
    displayName: d.displayName.trim(),
    kind: d.kind,
    unitCode: d.unitCode,
    ...(d.kind === 'person' ? { password: d.password } : {}),
    assignments: assignmentsBody(d.assignments),
  };
}
