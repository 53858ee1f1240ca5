import { IocError, type RejectReason } from '@haidang/domain';
import type { DirectoryEntry } from './device-directory.ts';
import { type IngestService, IngestRejection, type PayloadFormat } from './ingest.service.ts';
import type { Logger } from './ports.ts';
import type { RequestContext } from './request-context.ts';

/**
 * Who published: the device bound to the connection by its access token, a signed-in sender
 * (a data provider's API key as the MQTT password), or a broker that authenticated its clients
 * itself (an external broker with its own ACLs).
 */
export interface Publisher {
  device?: DirectoryEntry;
  caller?: RequestContext;
  trustedBroker?: boolean;
}

/** The MQTT topics devices publish to. */
export const TOPICS = {
  /** FIWARE IoT Agent JSON: `/{apikey}/{deviceId}/attrs` and `/{apikey}/{deviceId}/attrs/{attr}`. */
  iotaFilters: ['+/+/+/attrs', '+/+/+/attrs/+'],
  /** ThingsBoard device API; the device is the MQTT username's access token. */
  thingsBoard: 'v1/devices/me/telemetry',
} as const;

export type TopicRoute =
  | { kind: 'iota'; apikey: string; deviceId: string; format: PayloadFormat }
  | { kind: 'thingsboard' }
  | { kind: 'other' };

/** Reads the device address and payload format off a topic. */
export function routeTopic(topic: string): TopicRoute {
  if (topic === TOPICS.thingsBoard) return { kind: 'thingsboard' };
  const parts = topic.split('/');
  if (parts[0] === '' && parts[3] === 'attrs' && parts[1] && parts[2]) {
    if (parts.length === 4) return { kind: 'iota', apikey: parts[1], deviceId: parts[2], format: { kind: 'iota-json' } };
    if (parts.length === 5 && parts[4]) return { kind: 'iota', apikey: parts[1], deviceId: parts[2], format: { kind: 'iota-single', attr: parts[4] } };
  }
  return { kind: 'other' };
}

/** At most one warning per reason per interval; the rest are counted into the next one. */
export class RateLimitedWarnings {
  private last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly log: Logger,
    private readonly intervalMs = 10_000,
  ) {}
  warn(reason: string, detail: object, now: number): void {
    const s = this.last.get(reason);
    if (s && now - s.at < this.intervalMs) {
      s.suppressed++;
      return;
    }
    this.log.warn({ ...detail, reason, suppressedSinceLast: s?.suppressed ?? 0 }, 'MQTT message rejected');
    this.last.set(reason, { at: now, suppressed: 0 });
  }
}

export type MqttOutcome = { stored: number } | { rejected: RejectReason } | { ignored: true };

/**
 * Handles one published MQTT message for any broker: route by topic, ingest, and resolve after
 * commit. A bad message is dropped (counted, logged at a limited rate) and resolves; only a
 * storage failure rejects, so that the caller withholds the PUBACK.
 */
export class MqttIngest {
  private readonly warnings: RateLimitedWarnings;

  constructor(
    private readonly ingest: IngestService,
    log: Logger,
    private readonly clock: () => number,
  ) {
    this.warnings = new RateLimitedWarnings(log);
  }

  async handle(topic: string, payload: Uint8Array, publisher: Publisher): Promise<MqttOutcome> {
    const route = routeTopic(topic);
    if (route.kind === 'other') return { ignored: true };
    let entry: DirectoryEntry | undefined;
    let format: PayloadFormat;
    if (route.kind === 'thingsboard') {
      if (!publisher.device) return this.reject('bad_key', { topic, detail: 'telemetry from a connection without a device access token' });
      entry = publisher.device;
      format = { kind: 'thingsboard' };
    } else {
      entry = publisher.trustedBroker
        ? this.ingest.findByKey(route.apikey, route.deviceId)
        : await this.ingest.findForCaller(route.apikey, route.deviceId, publisher.caller, publisher.device);
      if (!entry) return this.reject('unknown_device', { topic, detail: 'no device with this id under this API key' });
      format = route.format;
    }
    try {
      return { stored: await this.ingest.ingestBytes('mqtt', entry, format, payload) };
    } catch (e) {
      if (e instanceof IngestRejection) {
        this.warnings.warn(e.reason, { topic, errors: e.errors.slice(0, 5) }, this.clock());
        return { rejected: e.reason };
      }
      throw e instanceof IocError ? e : new IocError('IOC_ERR_INTERNAL', (e as Error).message);
    }
  }

  private reject(reason: RejectReason, detail: object): MqttOutcome {
    this.ingest.countRejected('mqtt', reason);
    this.warnings.warn(reason, detail, this.clock());
    return { rejected: reason };
  }
}
