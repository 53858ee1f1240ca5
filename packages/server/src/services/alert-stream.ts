import { alertVisible, type ScopeFilter } from '@haidang/domain';
import type { AlertChange, AlertEventRecord, AlertRecord, AlertStore } from './ports.ts';

/** One alert event as stream subscribers receive it: the event and the alert after it. */
export interface StreamedEvent {
  event: AlertEventRecord;
  alert: AlertRecord;
}

export interface AlertSink {
  /** Writes one event; returns false when the client's buffer is over its bound (it is then dropped). */
  write(e: StreamedEvent): boolean;
  /** The client could not keep up and is disconnected; it may resume with Last-Event-ID. */
  drop(reason: 'slow_consumer' | 'too_far_behind'): void;
}

interface Subscription {
  scope: ScopeFilter;
  sink: AlertSink;
  /** Id of the last event handed to the sink. */
  last: bigint;
  /** While catching up from storage: live events wait here (bounded). */
  pending: StreamedEvent[] | undefined;
}

export interface AlertStreamOptions {
  /** Events kept in memory for resumption without a database query. */
  ringSize?: number;
  /** Most events a client may be behind by (catching up or buffered live) before it is dropped. */
  maxBehind?: number;
}

const idOf = (e: StreamedEvent): bigint => BigInt(e.event.id);

/**
 * Alert events to live subscribers (operator consoles), each seeing only alerts in its scope.
 * Every event has the id of its timeline row, so a client that reconnects with Last-Event-ID gets
 * what it missed: from a ring of recent events, or from the database when it was away longer.
 */
export class AlertStream {
  private readonly ring: StreamedEvent[] = [];
  private readonly subs = new Set<Subscription>();
  private readonly ringSize: number;
  private readonly maxBehind: number;

  constructor(
    private readonly store: AlertStore,
    opts: AlertStreamOptions = {},
  ) {
    this.ringSize = opts.ringSize ?? 10_000;
    this.maxBehind = opts.maxBehind ?? 10_000;
  }

  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Runs one alert write after every earlier one (engine transitions, operator actions,
   * escalations): each commits and is published before the next begins, so event ids reach
   * subscribers in increasing order and a resume from Last-Event-ID cannot skip one.
   */
  serial<T>(write: () => Promise<T>): Promise<T> {
    const run = this.tail.then(write, write);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Publishes what a committed change wrote (call it inside `serial`). */
  publish(change: AlertChange): void {
    for (const event of change.events) {
      const e = { event, alert: change.alert };
      this.ring.push(e);
      if (this.ring.length > this.ringSize) this.ring.shift();
      for (const s of this.subs) this.deliver(s, e);
    }
  }

  private deliver(s: Subscription, e: StreamedEvent): void {
    if (!alertVisible(s.scope, e.alert)) return;
    if (s.pending) {
      s.pending.push(e);
      if (s.pending.length > this.maxBehind) this.dropSub(s, 'too_far_behind');
      return;
    }
    if (idOf(e) <= s.last) return;
    s.last = idOf(e);
    if (!s.sink.write(e)) this.dropSub(s, 'slow_consumer');
  }

  private dropSub(s: Subscription, reason: 'slow_consumer' | 'too_far_behind'): void {
    if (!this.subs.delete(s)) return;
    s.sink.drop(reason);
  }

  /**
   * Subscribes from after `lastEventId` (a resume) or from now. Returns the function that ends
   * the subscription.
   */
  async subscribe(scope: ScopeFilter, sink: AlertSink, lastEventId?: string): Promise<() => void> {
    const s: Subscription = { scope, sink, last: 0n, pending: lastEventId === undefined ? undefined : [] };
    this.subs.add(s);
    const end = () => void this.subs.delete(s);
    // From now: every event published from here on (ids only grow, see serial).
    if (lastEventId === undefined) return end;
    let after = BigInt(lastEventId);
    s.last = after;
    const oldest = this.ring[0];
    if (!oldest || idOf(oldest) > after + 1n) {
      // Away longer than the ring remembers: catch up from storage, a bounded page at a time.
      for (;;) {
        const page = await this.store.eventsSince(after.toString(), 1000);
        for (const e of page) {
          after = idOf(e);
          if (!this.subs.has(s)) return end;
          if (alertVisible(s.scope, e.alert)) {
            s.last = after;
            if (!sink.write(e)) {
              this.dropSub(s, 'slow_consumer');
              return end;
            }
          }
        }
        if (page.length < 1000) break;
        if (this.ring.length && idOf(this.ring[0]!) <= after + 1n) break;
      }
    }
    // Then the ring, then what arrived meanwhile; ids already sent are skipped.
    const backlog = [...this.ring.filter((e) => idOf(e) > after), ...(s.pending ?? [])];
    s.pending = undefined;
    s.last = after;
    for (const e of backlog) {
      if (!this.subs.has(s)) break;
      if (idOf(e) <= s.last || !alertVisible(s.scope, e.alert)) continue;
      s.last = idOf(e);
      if (!sink.write(e)) {
        this.dropSub(s, 'slow_consumer');
        break;
      }
    }
    return end;
  }

  /** Narrows a subscriber's scope (its grants changed). */
  rescope(sink: AlertSink, scope: ScopeFilter): void {
    for (const s of this.subs) if (s.sink === sink) s.scope = scope;
  }

  get size(): number {
    return this.subs.size;
  }
}
