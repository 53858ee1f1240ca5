import { foldVietnamese, ORG_UNIT_KINDS } from '@haidang/domain';
import type { UnitView } from '../api/types.ts';

/** One line of the drawn org tree. */
export interface TreeRow {
  unit: UnitView;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
}

export interface TreeView {
  /** Search text: code or name in either language, with or without diacritics. */
  query: string;
  /** Units whose children are shown (ignored while searching: matches show with the units above them). */
  expanded: ReadonlySet<string>;
  showRetired: boolean;
}

const kindRank = (kind: string): number => {
  const i = (ORG_UNIT_KINDS as readonly string[]).indexOf(kind);
  return i < 0 ? ORG_UNIT_KINDS.length : i;
};
const displayOrder = (a: UnitView, b: UnitView): number => kindRank(a.kind) - kindRank(b.kind) || a.code.localeCompare(b.code, 'en', { numeric: true });

/** The children of every unit (key null: the roots), areas before other bodies, then by code. */
export function childrenOf(units: readonly UnitView[]): Map<string | null, UnitView[]> {
  const codes = new Set(units.map((u) => u.code));
  const out = new Map<string | null, UnitView[]>();
  for (const u of units) {
    const parent = u.parent !== null && codes.has(u.parent) ? u.parent : null;
    out.set(parent, [...(out.get(parent) ?? []), u]);
  }
  for (const list of out.values()) list.sort(displayOrder);
  return out;
}

/** Whether a unit matches folded search text (its code, or its name in Vietnamese or English). */
export const unitMatches = (u: UnitView, folded: string): boolean =>
  !folded || foldVietnamese(u.code).includes(folded) || foldVietnamese(u.name.vi).includes(folded) || foldVietnamese(u.name.en).includes(folded);

/** The rows to draw, depth first: a unit's children when it is expanded; while searching, the matches and the units above them. */
export function treeRows(units: readonly UnitView[], view: TreeView): TreeRow[] {
  const kids = childrenOf(view.showRetired ? units : units.filter((u) => u.status === 'active'));
  const q = foldVietnamese(view.query.trim());
  const keep = new Set<string>();
  const seen = new Set<string>();
  const mark = (u: UnitView): boolean => {
    if (seen.has(u.code)) return false;
    seen.add(u.code);
    let hit = unitMatches(u, q);
    for (const c of kids.get(u.code) ?? []) hit = mark(c) || hit;
    if (hit) keep.add(u.code);
    return hit;
  };
  if (q) for (const root of kids.get(null) ?? []) mark(root);
  const rows: TreeRow[] = [];
  const drawn = new Set<string>();
  const walk = (u: UnitView, depth: number) => {
    if ((q && !keep.has(u.code)) || drawn.has(u.code)) return;
    drawn.add(u.code);
    const children = kids.get(u.code) ?? [];
    const expanded = children.length > 0 && (q ? true : view.expanded.has(u.code));
    rows.push({ unit: u, depth, hasChildren: children.length > 0, expanded });
    if (expanded) for (const c of children) walk(c, depth + 1);
  };
  for (const root of kids.get(null) ?? []) walk(root, 0);
  return rows;
}

/** `set` with `code` added or removed. */
export function toggled(set: ReadonlySet<string>, code: string): Set<string> {
  const next = new Set(set);
  if (next.has(code)) next.delete(code);
  else next.add(code);
  return next;
}

/** Every unit that has children (to expand the whole tree). */
export const withChildren = (units: readonly UnitView[]): Set<string> => new Set(units.map((u) => u.parent).filter((p): p is string => p !== null));

/** Active units in tree order with their depth, for a select; `keep` narrows them (e.g. to one's scope). */
export function unitChoices(units: readonly UnitView[], keep: (u: UnitView) => boolean = () => true): { unit: UnitView; depth: number }[] {
  const all = withChildren(units);
  return treeRows(units, { query: '', expanded: all, showRetired: false })
    .filter((r) => keep(r.unit))
    .map((r) => ({ unit: r.unit, depth: r.depth }));
}

/** The kind a new unit below one of `kind` most likely has (the form's first choice). */
export function childKind(kind: string): string {
  const next: Record<string, string> = { city: 'district', district: 'ward' };
  return next[kind] ?? 'agency';
}
