import { attributeSpecOf, filterAllows, type Placed, type ScopeFilter } from '@haidang/domain';
import type { DeviceDirectory } from './device-directory.ts';
import type { SeriesReading } from './ports.ts';

/** One committed reading as live subscribers see it. */
export interface LiveReading {
  deviceId: string;
  attr: string;
  /** ISO 8601, UTC. */
  ts: string;
  value: number;
  unit: string;
}

export interface LiveFilter {
  /** Org unit codes (a subtree); undefined = any. */
  unitCodes?: ReadonlySet<string>;
  type?: string;
  sector?: string;
  device?: string;
  /** Only these devices (an operator's chosen readings on the alert stream). */
  devices?: ReadonlySet<string>;
}

export interface LiveSubscriber {
  /** Receives the readings of one flush, never empty. */
  send(batch: LiveReading[]): void;
  /** Told once when readings had to be dropped because the subscriber did not keep up. */
  lagged(dropped: number): void;
}

interface Subscription {
  scope: ScopeFilter;
  filter: LiveFilter;
  sub: LiveSubscriber;
  buffer: LiveReading[];
  dropped: number;
}

/** The most readings held for one subscriber between flushes; beyond it, readings are dropped and counted. */
const MAX_BUFFER = 20_000;

/**
 * Committed readings to live subscribers (consoles, maps), each seeing only what their scope
 * allows — the scope is checked per reading, in the service, not in the route. Readings are
 * batched and flushed every `flushMs` so that a storm of readings is a few messages per second.
 */
export class LiveHub {
  private readonly subs = new Set<Subscription>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly directory: DeviceDirectory,
    private readonly flushMs = 1000,
  ) {}

  /** Feeds committed readings (the writer's onCommitted). */
  publish(readings: readonly SeriesReading[]): void {
    if (this.subs.size === 0) return;
    for (const r of readings) {
      const s = this.directory.bySeries(r.seriesId);
      if (!s) continue;
      const d = s.entry.device;
      let live: LiveReading | undefined;
      for (const sub of this.subs) {
        if (!matches(sub, d)) continue;
        if (sub.buffer.length >= MAX_BUFFER) {
          sub.dropped++;
          continue;
        }
        live ??= { deviceId: d.id, attr: s.attr, ts: new Date(r.ts).toISOString(), value: r.value, unit: attributeSpecOf(d, s.attr)?.unit ?? '' };
        sub.buffer.push(live);
      }
    }
  }

  /** Subscribes; returns the function that ends the subscription. */
  subscribe(scope: ScopeFilter, filter: LiveFilter, sub: LiveSubscriber): () => void {
    const s: Subscription = { scope, filter, sub, buffer: [], dropped: 0 };
    this.subs.add(s);
    this.timer ??= setInterval(() => this.flush(), this.flushMs);
    this.timer.unref();
    return () => {
      this.subs.delete(s);
      if (this.subs.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Narrows a subscription's scope (its grants changed or a delegation ended). */
  rescope(sub: LiveSubscriber, scope: ScopeFilter): void {
    for (const s of this.subs) if (s.sub === sub) s.scope = scope;
  }

  get size(): number {
    return this.subs.size;
  }

  flush(): void {
    for (const s of this.subs) {
      if (s.dropped) {
        s.sub.lagged(s.dropped);
        s.dropped = 0;
      }
      if (s.buffer.length === 0) continue;
      const batch = s.buffer;
      s.buffer = [];
      s.sub.send(batch);
    }
  }
}

function matches(s: Subscription, d: Placed & { id: string; type: string }): boolean {
  const f = s.filter;
  return (
    filterAllows(s.scope, d) &&
    (!f.unitCodes || f.unitCodes.has(d.unitCode)) &&
    (!f.type || f.type === d.type) &&
    (!f.sector || f.sector === d.sector) &&
    (!f.device || f.device === d.id) &&
    (!f.devices || f.devices.has(d.id))
  );
}
