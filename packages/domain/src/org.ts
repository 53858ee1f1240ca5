import type { Sector } from './device-types.ts';

/**
 * The org tree: areas (city, districts, wards, communes, special zones) and the bodies that act in
 * them (sector operation centers, agencies, enterprises). Configuration, not code: presets seed it,
 * admins edit it, units are retired rather than deleted.
 */
export const ORG_UNIT_KINDS = [
  'city', // Thành phố — the city IOC acts at this level
  'district', // Quận / huyện — district OC (2023 layout)
  'ward', // Phường
  'commune', // Xã
  'special_zone', // Đặc khu (Hoàng Sa, 2025 layout)
  'sector_oc', // Trung tâm điều hành ngành (sở): health, education, …
  'agency', // Cơ quan, đơn vị sự nghiệp
  'enterprise', // Doanh nghiệp (data providers)
] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];

export const ORG_UNIT_KIND_LABELS: Record<OrgUnitKind, { vi: string; en: string }> = {
  city: { vi: 'Thành phố', en: 'City' },
  district: { vi: 'Quận / huyện', en: 'District' },
  ward: { vi: 'Phường', en: 'Ward' },
  commune: { vi: 'Xã', en: 'Commune' },
  special_zone: { vi: 'Đặc khu', en: 'Special zone' },
  sector_oc: { vi: 'Trung tâm điều hành ngành', en: 'Sector operation center' },
  agency: { vi: 'Cơ quan', en: 'Agency' },
  enterprise: { vi: 'Doanh nghiệp', en: 'Enterprise' },
};

/** A unit code: GSO area codes (48, 492, 20236) or codes of the bodies (48-health). */
export const UNIT_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** What tree operations need of a unit. */
export interface OrgNode {
  code: string;
  parent: string | null;
  status: 'active' | 'retired';
  /** A retired unit's successor: records stored under the retired code belong to it. */
  successor: string | null;
  /** Sector of a sector OC; null for areas. */
  sector?: Sector | null;
}

/**
 * The tree, indexed once: subtrees (with the retired units mapped into them), ancestors, and the
 * current unit of an old code. Built from the whole list of units; rebuild it when units change.
 */
export class OrgTree {
  private readonly byCode = new Map<string, OrgNode>();
  private readonly children = new Map<string, string[]>();
  /** Retired codes by the code of their successor. */
  private readonly predecessors = new Map<string, string[]>();
  private readonly subtreeCache = new Map<string, ReadonlySet<string>>();

  constructor(units: Iterable<OrgNode>) {
    for (const u of units) {
      this.byCode.set(u.code, u);
      if (u.parent) this.children.set(u.parent, [...(this.children.get(u.parent) ?? []), u.code]);
      if (u.status === 'retired' && u.successor) this.predecessors.set(u.successor, [...(this.predecessors.get(u.successor) ?? []), u.code]);
    }
  }

  has(code: string): boolean {
    return this.byCode.has(code);
  }

  get(code: string): OrgNode | undefined {
    return this.byCode.get(code);
  }

  get size(): number {
    return this.byCode.size;
  }

  /**
   * The codes whose records a query on `code` covers: the unit, every unit below it, and every
   * retired unit whose successor is among those (with the retired unit's own subtree), so that
   * history stored under old codes is found under the new units.
   */
  subtree(code: string): ReadonlySet<string> {
    const cached = this.subtreeCache.get(code);
    if (cached) return cached;
    const out = new Set<string>();
    if (this.byCode.has(code)) {
      const stack = [code];
      while (stack.length) {
        const c = stack.pop()!;
        if (out.has(c)) continue;
        out.add(c);
        stack.push(...(this.children.get(c) ?? []), ...(this.predecessors.get(c) ?? []));
      }
    }
    this.subtreeCache.set(code, out);
    return out;
  }

  /** true when `code` is `ancestor` or lies in its subtree (retired units included). */
  covers(ancestor: string, code: string): boolean {
    return this.subtree(ancestor).has(code);
  }

  /** The unit that now stands for `code`: itself if active, else its successor's current unit. */
  current(code: string): string | undefined {
    let c: string | undefined = code;
    for (let hops = 0; c !== undefined && hops <= this.byCode.size; hops++) {
      const u = this.byCode.get(c);
      if (!u) return undefined;
      if (u.status === 'active') return c;
      c = u.successor ?? undefined;
    }
    return undefined;
  }

  /** The root(s): units without a parent. */
  roots(): string[] {
    return [...this.byCode.values()].filter((u) => u.parent === null).map((u) => u.code);
  }

  /** The unit and its ancestors, nearest first. */
  ancestors(code: string): string[] {
    const out: string[] = [];
    let c: string | null | undefined = code;
    while (c && this.byCode.has(c) && !out.includes(c)) {
      out.push(c);
      c = this.byCode.get(c)!.parent;
    }
    return out;
  }
}
