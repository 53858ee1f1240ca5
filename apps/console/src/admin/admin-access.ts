import { type Grant, type OrgTree, type Permission, roleAllows } from '@haidang/domain';
import { allowsSomewhere } from '../auth/permissions.ts';
import type { AdminTab } from '../shared/route.ts';

/** Any of these shows the administration view at all. */
export const ADMIN_PERMISSIONS: readonly Permission[] = ['user.manage', 'unit.manage', 'audit.read', 'delegation.grant'];

export const showsAdmin = (grants: readonly Grant[]): boolean => ADMIN_PERMISSIONS.some((p) => allowsSomewhere(grants, p));

/** The permission each tab needs; delegations: everyone may list the ones they gave or received. */
const TAB_PERMISSION: Record<AdminTab, Permission | null> = { units: 'unit.manage', users: 'user.manage', delegations: null, audit: 'audit.read' };

export const mayOpenTab = (grants: readonly Grant[], tab: AdminTab): boolean => {
  const p = TAB_PERMISSION[tab];
  return p === null || allowsSomewhere(grants, p);
};

/** The tabs the user may open, in order. */
export const adminTabs = (grants: readonly Grant[], all: readonly AdminTab[]): AdminTab[] => all.filter((t) => mayOpenTab(grants, t));

/** The permission a tab needs (null: none). */
export const tabPermission = (tab: AdminTab): Permission | null => TAB_PERMISSION[tab];

/** Verifying the whole audit chain needs audit.read over the whole city (a root, every sector). */
export const mayVerifyChain = (grants: readonly Grant[], tree: OrgTree): boolean => {
  const roots = tree.roots();
  return grants.some((g) => roleAllows(g.role, 'audit.read') && g.sector === null && roots.includes(g.unitCode));
};

/** The grants one may lend: one's own (authority is lent once, never passed on) whose role may delegate. */
export const delegableGrants = (grants: readonly Grant[]): Grant[] => grants.filter((g) => !g.delegation && roleAllows(g.role, 'delegation.grant'));
