/**
 * A load generator, run as a separate process (child_process.fork) so that the load does not
 * share the IOC's event loop. It plays a slice of the fleet: over MQTT, one connection per device
 * publishing `/{apikey}/{id}/attrs` at QoS 0 or 1; over HTTP, keep-alive `POST /iot/json` with an
 * array of measurements per request. Each message carries every attribute, with an explicit
 * TimeInstant that grows by `stepMs` per message per device (the readings' primary key is
 * (series, ts): a repeated instant would be dropped as a redelivery).
 *
 * Protocol with the parent (IPC, advanced serialization):
 *   parent → {type: 'task', task}  ← {type: 'ready'}  parent → {type: 'go'}
 *   ← {type: 'progress', sentReadings, ackedReadings} every second
 *   ← {type: 'done', result}
 */
import mqtt, { type MqttClient } from 'mqtt';
import { APIKEY, ATTRS, measure } from './lib/fleet.ts';

export interface LoadTask {
  transport: 'mqtt' | 'http';
  qos: 0 | 1;
  url: string;
  devices: string[];
  /** TimeInstant of each device's first message (ms); later ones add stepMs each. */
  startTs: number;
  stepMs: number;
  /** MQTT: messages in flight per connection (unacknowledged QoS 1, or unwritten QoS 0). HTTP: concurrent requests. */
  window: number;
  /** HTTP: measurements (messages) per request. */
  httpBatch: number;
  /** Readings per second this worker offers; 0 = as fast as the server takes them. */
  rate: number;
  /** From `go`: load runs for durationMs; latencies are kept for sends in [measureFromMs, durationMs). */
  durationMs: number;
  measureFromMs: number;
}

export interface LoadResult {
  sentMessages: number;
  sentReadings: number;
  ackedReadings: number;
  /** Readings sent within the measurement window. */
  windowSentReadings: number;
  /** Send → acknowledgement latencies (ms) of messages sent within the window (QoS 1, HTTP). */
  latencies: Float64Array;
  errors: number;
  firstError: string | undefined;
  /** Connections the server closed (MQTT; the client reconnects after 1 s, as a device would). */
  disconnects: number;
  /** Per device: messages sent, and acknowledged (QoS 1 PUBACK, HTTP 200). */
  perDevice: Record<string, { sent: number; acked: number }>;
}

type Msg = { type: 'task'; task: LoadTask } | { type: 'go' };

const send = (m: object) => new Promise<void>((resolve) => process.send!(m, undefined, {}, () => resolve()));

class Samples {
  private buf = new Float64Array(1 << 16);
  n = 0;
  push(v: number) {
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = v;
  }
  get values() {
    return this.buf.slice(0, this.n);
  }
}

async function run(task: LoadTask): Promise<void> {
  const readingsPerMessage = ATTRS.length;
  const perDevice: Record<string, { sent: number; acked: number }> = {};
  for (const id of task.devices) perDevice[id] = { sent: 0, acked: 0 };
  const latencies = new Samples();
  const r = { sentMessages: 0, sentReadings: 0, ackedReadings: 0, windowSentReadings: 0, errors: 0, firstError: undefined as string | undefined, disconnects: 0 };
  const fail = (e: unknown) => {
    r.errors++;
    r.firstError ??= (e as Error)?.message ?? String(e);
  };

  let goAt = 0;
  let stopping = false;
  const now = () => performance.now() - goAt;
  /** May one more message (of `readings`) go now? Rate-limited, or unlimited until the end. */
  const allowed = (readings: number) => !stopping && (task.rate <= 0 || r.sentReadings + readings <= (task.rate * now()) / 1000);
  const inWindow = (t: number) => t >= task.measureFromMs && t < task.durationMs;
  const nextTs = (id: string) => task.startTs + perDevice[id]!.sent * task.stepMs;

  let pumpAll: () => void;
  let finish: () => Promise<void>;

  if (task.transport === 'mqtt') {
    interface Conn { id: string; client: MqttClient; topic: string; inflight: number }
    const conns: Conn[] = await Promise.all(
      task.devices.map(
        (id) =>
          new Promise<Conn>((resolve, reject) => {
            const client = mqtt.connect(task.url, {
              clientId: `bench-${id}-${process.pid}`,
              clean: true,
              reconnectPeriod: 1000,
              connectTimeout: 30_000,
              keepalive: 60,
            });
            client.once('connect', () => {
              client.stream.setMaxListeners(0);
              resolve({ id, client, topic: `/${APIKEY}/${id}/attrs`, inflight: 0 });
            });
            client.once('error', reject);
          }),
      ),
    );
    for (const c of conns) {
      c.client.on('error', fail);
      c.client.on('close', () => {
        if (!stopping) r.disconnects++;
      });
      c.client.on('connect', () => pump(c));
    }
    const pump = (c: Conn) => {
      while (c.inflight < task.window && allowed(readingsPerMessage) && c.client.connected) {
        const dev = perDevice[c.id]!;
        const payload = JSON.stringify(measure(nextTs(c.id), dev.sent));
        dev.sent++;
        r.sentMessages++;
        r.sentReadings += readingsPerMessage;
        const t = now();
        if (inWindow(t)) r.windowSentReadings += readingsPerMessage;
        c.inflight++;
        c.client.publish(c.topic, payload, { qos: task.qos }, (err) => {
          c.inflight--;
          if (err) fail(err);
          else {
            dev.acked++;
            r.ackedReadings += readingsPerMessage;
            if (task.qos === 1 && inWindow(t)) latencies.push(now() - t);
          }
          pump(c);
        });
      }
    };
    pumpAll = () => conns.forEach(pump);
    finish = async () => {
      const deadline = Date.now() + 60_000;
      while (conns.some((c) => c.inflight > 0 && c.client.connected) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      await Promise.all(conns.map((c) => new Promise<void>((res) => c.client.end(false, {}, () => res()))));
    };
  } else {
    const endpoint = (id: string) => `${task.url}/iot/json?k=${APIKEY}&i=${encodeURIComponent(id)}`;
    let inflight = 0;
    let next = 0;
    const pump = () => {
      while (inflight < task.window && allowed(readingsPerMessage * task.httpBatch)) {
        const id = task.devices[next++ % task.devices.length]!;
        const dev = perDevice[id]!;
        const batch = [];
        for (let k = 0; k < task.httpBatch; k++) batch.push(measure(task.startTs + (dev.sent + k) * task.stepMs, dev.sent + k));
        dev.sent += task.httpBatch;
        const readings = readingsPerMessage * task.httpBatch;
        r.sentMessages += task.httpBatch;
        r.sentReadings += readings;
        const t = now();
        if (inWindow(t)) r.windowSentReadings += readings;
        inflight++;
        fetch(endpoint(id), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) })
          .then(async (res) => {
            const text = await res.text();
            if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
            dev.acked += task.httpBatch;
            r.ackedReadings += readings;
            if (inWindow(t)) latencies.push(now() - t);
          })
          .catch(fail)
          .finally(() => {
            inflight--;
            pump();
          });
      }
    };
    pumpAll = pump;
    finish = async () => {
      const deadline = Date.now() + 60_000;
      while (inflight > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    };
  }

  void send({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', (m: Msg) => m.type === 'go' && resolve()));
  goAt = performance.now();
  const progress = setInterval(() => void send({ type: 'progress', sentReadings: r.sentReadings, ackedReadings: r.ackedReadings }), 1000);
  // Rate-limited load needs a clock to release messages; unlimited load is driven by acknowledgements.
  const ticker = setInterval(pumpAll, task.rate > 0 ? 5 : 200);
  pumpAll();
  await new Promise((res) => setTimeout(res, task.durationMs));
  stopping = true;
  clearInterval(ticker);
  await finish();
  clearInterval(progress);
  const result: LoadResult = { ...r, latencies: latencies.values, perDevice };
  // Resolves once the message is handed to the channel: only then may the worker disconnect.
  await send({ type: 'done', result });
}

// The benchmark went away (killed, interrupted): stop generating load.
process.on('disconnect', () => process.exit(0));

process.once('message', (m: Msg) => {
  if (m.type !== 'task') return;
  run(m.task).then(
    () => process.disconnect(),
    (e: Error) => send({ type: 'failed', error: e.stack ?? e.message }).then(() => process.disconnect()),
  );
});
