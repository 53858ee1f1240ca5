import { IocError, fieldError } from '@haidang/domain';
import type { OrgUnit, OrgUnitStore } from './ports.ts';

/** The org tree (units of the city), cached: it changes rarely and is read on every filter. */
export class OrgUnitService {
  private cache: OrgUnit[] | undefined;

  constructor(private readonly store: OrgUnitStore) {}

  async list(): Promise<OrgUnit[]> {
    this.cache ??= await this.store.list();
    return this.cache;
  }

  async exists(code: string): Promise<boolean> {
    return (await this.list()).some((u) => u.code === code);
  }

  /** The unit and every unit below it. Throws a validation error naming `field` if unknown. */
  async subtree(code: string, field = 'unit'): Promise<string[]> {
    const units = await this.list();
    if (!units.some((u) => u.code === code)) {
      throw new IocError('IOC_ERR_VALIDATION', `unknown org unit ${code}`, [fieldError(field, 'unknown_unit', `no org unit has code ${code}`)]);
    }
    const children = new Map<string, string[]>();
    for (const u of units) if (u.parent) children.set(u.parent, [...(children.get(u.parent) ?? []), u.code]);
    const out: string[] = [];
    const stack = [code];
    while (stack.length) {
      const c = stack.pop()!;
      out.push(c);
      stack.push(...(children.get(c) ?? []));
    }
    return out;
  }

  /** Adds a preset's units that are not there yet (first start, or a preset grown since). */
  async seed(units: OrgUnit[]): Promise<number> {
    const n = await this.store.insertMissing(units);
    this.cache = undefined;
    return n;
  }
}
