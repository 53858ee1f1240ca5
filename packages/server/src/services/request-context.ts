import type { Actor } from '@haidang/domain';

/** Who acts, and from where: passed by the HTTP layer to every service call, kept in the audit log. */
export interface RequestContext {
  actor: Actor;
  ip?: string;
  userAgent?: string;
  correlationId?: string;
}

/** The IOC itself (seeding, the demo city, start-up tasks), acting over the whole tree. */
export const systemContext = (rootUnit: string): RequestContext => ({
  actor: {
    userId: '00000000-0000-0000-0000-000000000000',
    username: 'system',
    kind: 'service',
    unitCode: rootUnit,
    grants: [{ role: 'system_admin', unitCode: rootUnit, sector: null }],
  },
});

/** The system actor's id: audit entries it writes carry no user id. */
export const isSystem = (actor: Actor): boolean => actor.userId === '00000000-0000-0000-0000-000000000000';
