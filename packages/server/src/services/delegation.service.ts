import { checkDelegation, type DelegationStatus, delegationStatus, IocError, type Role, type Sector } from '@haidang/domain';
import { auditBy } from './access-policy.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { Auditor, Clock, DelegationRecord, DelegationStore, UserStore } from './ports.ts';
import type { RequestContext } from './request-context.ts';

export interface DelegationInput {
  granteeId: string;
  role: string;
  unitCode: string;
  sector?: string | null;
  validFrom?: number;
  validUntil: number;
  reason: string;
}

export interface DelegationView extends Omit<DelegationRecord, 'validFrom' | 'validUntil' | 'createdAt' | 'revokedAt'> {
  validFrom: string;
  validUntil: string;
  createdAt: string;
  revokedAt: string | null;
  status: DelegationStatus;
}

/**
 * Ủy quyền: a user lends part of their own role and scope to another user for a time window, with
 * a reason. Listed for both, revocable by either (and by the grantor's admins through the audit
 * trail), ending by itself; actions under it are audited "on behalf of" the grantor.
 */
export class DelegationService {
  constructor(
    private readonly store: DelegationStore,
    private readonly users: UserStore,
    private readonly units: OrgUnitService,
    private readonly audit: Auditor,
    private readonly clock: Clock,
    /** Told when grants change, to drop cached authentications. */
    private readonly grantsChanged: () => void = () => undefined,
  ) {}

  async grant(ctx: RequestContext, input: DelegationInput): Promise<DelegationView> {
    const now = this.clock();
    const tree = await this.units.tree();
    const grantor = { userId: ctx.actor.userId, kind: ctx.actor.kind, assignments: (await this.users.assignments([ctx.actor.userId])).get(ctx.actor.userId) ?? [] };
    const granteeUser = typeof input.granteeId === 'string' && /^[0-9a-f-]{36}$/i.test(input.granteeId) ? await this.users.get(input.granteeId) : undefined;
    const grantee = granteeUser && granteeUser.disabledAt === null ? { userId: granteeUser.id, kind: granteeUser.kind } : undefined;
    const d = {
      granteeId: String(input.granteeId),
      role: input.role as Role,
      unitCode: String(input.unitCode),
      sector: (input.sector ?? null) as Sector | null,
      validFrom: input.validFrom ?? now,
      validUntil: input.validUntil,
      reason: String(input.reason ?? ''),
    };
    const errs = checkDelegation(tree, grantor, grantee, d, now);
    if (errs.length) throw new IocError('IOC_ERR_VALIDATION', errs.map((e) => `${e.field}: ${e.message}`).join('; '), errs);
    const id = crypto.randomUUID();
    await this.store.insert({ id, grantorId: grantor.userId, granteeId: d.granteeId, role: d.role, unitCode: d.unitCode, sector: d.sector, validFrom: d.validFrom, validUntil: d.validUntil, reason: d.reason.trim() });
    this.grantsChanged();
    await this.audit.record({
      ...auditBy(ctx),
      action: 'delegation.grant',
      unitCode: d.unitCode,
      target: `delegation:${id}`,
      details: { grantee: granteeUser!.username, role: d.role, sector: d.sector, validFrom: new Date(d.validFrom).toISOString(), validUntil: new Date(d.validUntil).toISOString(), reason: d.reason.trim() },
    });
    return this.view((await this.store.get(id))!, now);
  }

  /** Delegations the actor gave or received. */
  async mine(ctx: RequestContext): Promise<DelegationView[]> {
    const now = this.clock();
    return (await this.store.involving(ctx.actor.userId)).map((d) => this.view(d, now));
  }

  /** Revokes a delegation the actor gave or received; 404 for any other. */
  async revoke(ctx: RequestContext, id: string): Promise<DelegationView> {
    const d = /^[0-9a-f-]{36}$/i.test(id) ? await this.store.get(id) : undefined;
    if (!d || (d.grantorId !== ctx.actor.userId && d.granteeId !== ctx.actor.userId)) throw new IocError('IOC_ERR_NOT_FOUND', `no delegation ${id}`);
    const now = this.clock();
    if (!(await this.store.revoke(id, ctx.actor.userId, now))) throw new IocError('IOC_ERR_CONFLICT', 'the delegation is revoked already');
    this.grantsChanged();
    await this.audit.record({ ...auditBy(ctx), action: 'delegation.revoke', unitCode: d.unitCode, target: `delegation:${id}`, details: { grantor: d.grantorName, grantee: d.granteeName, role: d.role, status: delegationStatus(d, now) } });
    return this.view((await this.store.get(id))!, now);
  }

  private view(d: DelegationRecord, now: number): DelegationView {
    return {
      ...d,
      validFrom: new Date(d.validFrom).toISOString(),
      validUntil: new Date(d.validUntil).toISOString(),
      createdAt: new Date(d.createdAt).toISOString(),
      revokedAt: d.revokedAt === null ? null : new Date(d.revokedAt).toISOString(),
      status: delegationStatus(d, now),
    };
  }
}
