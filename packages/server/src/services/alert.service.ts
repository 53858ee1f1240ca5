import {
  actionRefused,
  type AlertAction,
  type AlertState,
  type EscalationPolicy,
  escalationDue,
  IocError,
  placeOf,
  scopeConditions,
  type Sector,
  type Severity,
  validateAlertAction,
} from '@haidang/domain';
import { type AccessPolicy, auditBy } from './access-policy.ts';
import type { AlertStream } from './alert-stream.ts';
import type { OrgUnitService } from './org-unit.service.ts';
import type { AlertChange, AlertEventRecord, AlertRecord, AlertStore, Auditor, Clock, Logger } from './ports.ts';
import type { RequestContext } from './request-context.ts';

export interface AlertQuery {
  unit?: string;
  sector?: Sector;
  states?: AlertState[];
  severities?: Severity[];
  ruleId?: string;
  deviceId?: string;
  escalated?: boolean;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

const EVENT_OF: Record<AlertAction, 'acknowledged' | 'assigned' | 'commented' | 'closed'> = {
  acknowledge: 'acknowledged',
  assign: 'assigned',
  comment: 'commented',
  close: 'closed',
};

/** Alerts as operators see and handle them: scoped reads, lifecycle actions, escalation. */
export class AlertService {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly store: AlertStore,
    private readonly stream: AlertStream,
    private readonly units: OrgUnitService,
    private readonly access: AccessPolicy,
    private readonly audit: Auditor,
    private readonly clock: Clock,
    private readonly policy: EscalationPolicy,
    private readonly log: Logger,
  ) {}

  async list(ctx: RequestContext, q: AlertQuery): Promise<{ items: AlertRecord[]; total: number }> {
    const f = await this.access.filter(ctx, 'alert.read');
    if (f.kind === 'none') throw new IocError('IOC_ERR_FORBIDDEN', 'this needs the permission alert.read');
    const scopes = f.kind === 'all' ? undefined : scopeConditions(f.scopes, await this.units.codes());
    return this.store.list({
      ...(scopes && { scopes }),
      ...(q.unit && { unitCodes: await this.units.subtree(q.unit) }),
      ...(q.sector && { sector: q.sector }),
      ...(q.states && { states: q.states }),
      ...(q.severities && { severities: q.severities }),
      ...(q.ruleId && { ruleId: q.ruleId }),
      ...(q.deviceId && { deviceId: q.deviceId }),
      ...(q.escalated !== undefined && { escalated: q.escalated }),
      ...(q.from !== undefined && { from: q.from }),
      ...(q.to !== undefined && { to: q.to }),
      limit: q.limit,
      offset: q.offset,
    });
  }

  /** One alert with its timeline; 404 when it does not exist or lies outside the caller's scope. */
  async get(ctx: RequestContext, id: string): Promise<{ alert: AlertRecord; timeline: AlertEventRecord[] }> {
    const alert = await this.visible(ctx, id);
    return { alert, timeline: await this.store.timeline(id) };
  }

  private async visible(ctx: RequestContext, id: string): Promise<AlertRecord> {
    const alert = await this.store.get(id);
    const hidden = new IocError('IOC_ERR_NOT_FOUND', `alert ${id} not found`);
    if (!alert || !(await this.access.grant(ctx, 'alert.read', placeOf(alert)))) throw hidden;
    return alert;
  }

  /** Acknowledge, assign, comment or close; refused (409) from a state that does not allow it. */
  async act(ctx: RequestContext, id: string, action: AlertAction, body: unknown): Promise<AlertRecord> {
    const input = validateAlertAction(action, body);
    if (!input.ok) throw new IocError('IOC_ERR_VALIDATION', 'invalid alert action', input.errors);
    const alert = await this.store.get(id);
    const hidden = new IocError('IOC_ERR_NOT_FOUND', `alert ${id} not found`);
    if (!alert) throw hidden;
    const grant = await this.access.grantOrThrow(ctx, 'alert.handle', placeOf(alert), hidden, 'alert.read');
    const change = await this.stream.serial(async () => {
      const c = await this.store.act(id, EVENT_OF[action], { id: ctx.actor.userId, name: ctx.actor.username }, input.value, this.clock(), (current) => {
        const refused = actionRefused(current.state, action);
        if (refused) throw new IocError('IOC_ERR_CONFLICT', refused);
      });
      this.stream.publish(c);
      return c;
    });
    await this.audit.record({
      ...auditBy(ctx, grant),
      action: `alert.${action}`,
      unitCode: alert.unitCode,
      target: id,
      details: { rule: alert.ruleId, subject: alert.subject, ...input.value },
    });
    return change.alert;
  }

  /** Starts the escalation sweep (every `everyMs`). */
  start(everyMs = 15_000): void {
    this.timer = setInterval(() => void this.escalate(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /**
   * Escalation: an alert still open (not acknowledged) after the policy's minutes for its severity
   * goes to the parent of the unit it sits with, and again after as long, up to the root (the city
   * IOC). Returns what escalated.
   */
  async escalate(): Promise<AlertChange[]> {
    if (this.sweeping) return [];
    const run = (async () => {
      const out: AlertChange[] = [];
      const now = this.clock();
      const tree = await this.units.tree();
      for (const a of await this.store.unacknowledged()) {
        const to = escalationDue(a, this.policy, tree, now);
        if (!to) continue;
        const change = await this.stream.serial(async () => {
          const c = await this.store.escalate(a.id, a.escalatedTo, to, now);
          if (c) this.stream.publish(c);
          return c;
        });
        if (!change) continue;
        out.push(change);
        this.log.info({ alert: a.id, to }, 'alert escalated: not acknowledged in time');
      }
      return out;
    })();
    this.sweeping = run.then(() => undefined, () => undefined);
    try {
      return await run;
    } finally {
      this.sweeping = undefined;
    }
  }
}
