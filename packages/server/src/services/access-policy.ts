import { type Grant, grantFor, grantsFor, IocError, type Permission, type Placed, type ScopeFilter, scopeFilter, unitCodesOf, unitGrantFor } from '@haidang/domain';
import type { OrgUnitService } from './org-unit.service.ts';
import type { AuditInput } from './ports.ts';
import { isSystem, type RequestContext } from './request-context.ts';

/**
 * Scope enforcement for the services: every read, list, count, export and write asks here. A
 * record outside the actor's scope is reported as not found (its existence does not leak); a
 * permission the actor lacks altogether is forbidden.
 */
export class AccessPolicy {
  constructor(private readonly units: OrgUnitService) {}

  /** Throws 403 when no grant of the actor carries the permission. */
  require(ctx: RequestContext, p: Permission): void {
    if (grantsFor(ctx.actor, p).length === 0) throw new IocError('IOC_ERR_FORBIDDEN', `this action needs the permission ${p}`);
  }

  /** The records the actor may see under a permission, as a filter for queries. */
  async filter(ctx: RequestContext, p: Permission): Promise<ScopeFilter> {
    return scopeFilter(await this.units.tree(), ctx.actor, p);
  }

  /**
   * The units whose users or audit entries the actor may see under `p` (optionally within the
   * subtree of `unit`); undefined: all. 403 when the actor holds `p` nowhere.
   */
  async unitCodes(ctx: RequestContext, p: Permission, unit?: string): Promise<string[] | undefined> {
    const f = await this.filter(ctx, p);
    if (f.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', `this needs the permission ${p}`);
    return unitCodesOf(f, unit ? new Set(await this.units.subtree(unit)) : undefined);
  }

  /** The grant to act on unit `code` itself (no sector limit); 403 without one. */
  async unitGrant(ctx: RequestContext, p: Permission, code: string): Promise<Grant> {
    const g = unitGrantFor(await this.units.tree(), ctx.actor, p, code);
    if (!g) throw new IocError('IOC_ERR_FORBIDDEN', `this needs the permission ${p} over unit ${code}`);
    return g;
  }

  /** The grant that allows acting on `rec`, or undefined. */
  async grant(ctx: RequestContext, p: Permission, rec: Placed): Promise<Grant | undefined> {
    return grantFor(await this.units.tree(), ctx.actor, p, rec);
  }

  /**
   * The grant for a write on `rec`; throws `hidden` (a not-found error) when the actor may not even
   * see it, 403 when they see it but may not change it.
   */
  async grantOrThrow(ctx: RequestContext, p: Permission, rec: Placed, hidden: IocError, readPermission?: Permission): Promise<Grant> {
    const g = await this.grant(ctx, p, rec);
    if (g) return g;
    if (readPermission && (await this.grant(ctx, readPermission, rec))) throw new IocError('IOC_ERR_FORBIDDEN', `this action needs the permission ${p} over unit ${rec.unitCode}`);
    throw hidden;
  }
}

/** The audit fields of a request: who, on whose behalf (when a delegation allowed it), from where. */
export function auditBy(ctx: RequestContext, grant?: Grant): Pick<AuditInput, 'actor' | 'onBehalfOf' | 'ip' | 'userAgent' | 'correlationId'> {
  return {
    actor: { id: isSystem(ctx.actor) ? null : ctx.actor.userId, name: ctx.actor.username },
    ...(grant?.delegation ? { onBehalfOf: { id: grant.delegation.grantorId, name: grant.delegation.grantorName } } : {}),
    ...(ctx.ip ? { ip: ctx.ip } : {}),
    ...(ctx.userAgent ? { userAgent: ctx.userAgent } : {}),
    ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
  };
}
