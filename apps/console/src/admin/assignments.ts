import { type Grant, type OrgTree, type Role, roleAllows, type Sector, scopeWithin } from '@haidang/domain';

/** A role assignment as the form edits it: a role over a unit's subtree, maybe one sector. */
export interface AssignmentDraft {
  role: Role;
  unitCode: string;
  sector: Sector | null;
}

export type AssignmentProblem = { field: string; reason: 'unknown_unit' | 'exceeds_own' | 'duplicate' | 'service_role' };

export const sameAssignment = (a: AssignmentDraft, b: AssignmentDraft): boolean => a.role === b.role && a.unitCode === b.unitCode && (a.sector ?? null) === (b.sector ?? null);

export const addAssignment = (list: readonly AssignmentDraft[], a: AssignmentDraft): AssignmentDraft[] => [...list, a];

export const removeAssignment = (list: readonly AssignmentDraft[], i: number): AssignmentDraft[] => list.filter((_, j) => j !== i);

export const changeAssignment = (list: readonly AssignmentDraft[], i: number, patch: Partial<AssignmentDraft>): AssignmentDraft[] => list.map((a, j) => (j === i ? { ...a, ...patch } : a));

/**
 * Whether the admin may give (or take away) an assignment: it lies within one of their user.manage
 * grants — the same role's scope or less (nobody grants more than they hold).
 */
export const mayGive = (grants: readonly Grant[], tree: OrgTree, a: AssignmentDraft): boolean =>
  grants.some((g) => roleAllows(g.role, 'user.manage') && scopeWithin(tree, { unitCode: a.unitCode, sector: a.sector }, g));

/** The problems of the rows, named by field as the API names them (`assignments/1/unitCode`). */
export function assignmentProblems(list: readonly AssignmentDraft[], grants: readonly Grant[], tree: OrgTree, kind: 'person' | 'service'): AssignmentProblem[] {
  const out: AssignmentProblem[] = [];
  list.forEach((a, i) => {
    const at = `assignments/${i}`;
    if (tree.get(a.unitCode)?.status !== 'active') out.push({ field: `${at}/unitCode`, reason: 'unknown_unit' });
    else if (!mayGive(grants, tree, a)) out.push({ field: `${at}/unitCode`, reason: 'exceeds_own' });
    if (kind === 'service' && a.role !== 'data_provider') out.push({ field: `${at}/role`, reason: 'service_role' });
    if (list.slice(0, i).some((b) => sameAssignment(a, b))) out.push({ field: at, reason: 'duplicate' });
  });
  return out;
}

/** Assignments in `before` that the new list drops but the admin may not take away (outside their scope). */
export const lockedRemovals = (before: readonly AssignmentDraft[], after: readonly AssignmentDraft[], grants: readonly Grant[], tree: OrgTree): AssignmentDraft[] =>
  before.filter((a) => !after.some((b) => sameAssignment(a, b)) && !mayGive(grants, tree, a));

/** The list as the API takes it. */
export const assignmentsBody = (list: readonly AssignmentDraft[]): AssignmentDraft[] => list.map((a) => ({ role: a.role, unitCode: a.unitCode, sector: a.sector ?? null }));

/** Whether a unit lies within one of the admin's user.manage grants (to offer it in the form). */
export const inManageScope = (grants: readonly Grant[], tree: OrgTree, unitCode: string): boolean =>
  grants.some((g) => roleAllows(g.role, 'user.manage') && tree.covers(g.unitCode, unitCode));
