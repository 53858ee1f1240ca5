import { type Grant, type OrgTree, type Permission, placeOf, roleAllows, scopeCovers, type Sector } from '@haidang/domain';

/**
 * What the signed-in user may do, from the grants the session reports (the server decides; the
 * console only hides or disables what would be refused, and says why).
 */
export function allows(grants: readonly Grant[], tree: OrgTree, permission: Permission, place: { unitCode: string; sector?: string | null }): boolean {
  const p = placeOf({ unitCode: place.unitCode, sector: (place.sector ?? null) as Sector | null });
  return grants.some((g) => roleAllows(g.role, permission) && scopeCovers(tree, g, p));
}

/** Whether any grant carries the permission somewhere (to show a view at all). */
export const allowsSomewhere = (grants: readonly Grant[], permission: Permission): boolean => grants.some((g) => roleAllows(g.role, permission));
