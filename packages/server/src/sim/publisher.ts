import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import type { DeviceLike } from './sim.types.ts';

// MQTT side of the simulator. Devices speaking the FIWARE convention share one connection (a
// gateway, as IoT Agent deployments do); each ThingsBoard device has its own connection, because
// ThingsBoard identifies the device by the MQTT username (its access token).

export interface PublisherOptions {
  url: string;
  devices: readonly DeviceLike[];
  qos: 0 | 1;
  log: (msg: string) => void;
}

export interface Publisher {
  /**
   * Sends one message on the device's connection; `done(true)` once the broker has it (PUBACK
   * for QoS 1). Returns false, sending nothing, while that connection is down: a real device
   * buffers little, and queueing here would flood the IOC with stale data on reconnect.
   */
  send(device: DeviceLike, topic: string, body: string, done: (ok: boolean) => void): boolean;
  /** Resolves when every connection is up, or false after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<boolean>;
  /** Lets in-flight messages finish (up to ~3 s), then disconnects every client. */
  close(): Promise<void>;
}

const RECONNECT_MS = 2000;
const DRAIN_MS = 3000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Opens the MQTT connections for a device list. */
export function createPublisher(opts: PublisherOptions): Publisher {
  const runId = randomBytes(4).toString('hex');
  const base = {
    reconnectPeriod: RECONNECT_MS,
    connectTimeout: 5000,
    clean: true,
    protocolVersion: 4 as const,
    queueQoSZero: false,
  };
  const shared = connect(opts.url, { ...base, clientId: `haidang-sim-${runId}` });
  watch(shared, 'simulator gateway', opts.log, true);
  const own = new Map<string, MqttClient>();
  for (const d of opts.devices) {
    if (!d.accessToken) continue;
    const c = connect(opts.url, { ...base, clientId: `haidang-sim-${runId}-${d.id}`.slice(0, 64), username: d.accessToken });
    watch(c, `device ${d.id}`, opts.log, false);
    own.set(d.id, c);
  }
  const clients = [shared, ...own.values()];

  return {
    send(device, topic, body, done) {
      const client = own.get(device.id) ?? shared;
      if (!client.connected) return false;
      client.publish(topic, body, { qos: opts.qos }, (err) => done(!err));
      return true;
    },
    async waitConnected(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (clients.every((c) => c.connected)) return true;
        await sleep(50);
      }
      return clients.every((c) => c.connected);
    },
    async close() {
      const deadline = Date.now() + DRAIN_MS;
      while (Date.now() < deadline && clients.some((c) => c.connected && Object.keys(c.outgoing).length > 0)) await sleep(20);
      await Promise.all(
        clients.map((c) => {
          // A connected client with nothing in flight sends DISCONNECT; others just drop the socket.
          const graceful = c.connected && Object.keys(c.outgoing).length === 0;
          return Promise.race([c.endAsync(!graceful), sleep(2000)]);
        }),
      );
    },
  };
}

/** Logs connection changes, once per change, and keeps errors from crashing the process. */
function watch(client: MqttClient, label: string, log: (msg: string) => void, verbose: boolean): void {
  let everConnected = false;
  let down = false;
  let lastError = '';
  client.on('connect', () => {
    if (verbose || down) log(`${label}: ${everConnected ? 'reconnected' : 'connected'} to MQTT broker`);
    everConnected = true;
    down = false;
    lastError = '';
  });
  client.on('offline', () => {
    if (!down && (verbose || everConnected)) log(`${label}: MQTT connection lost, retrying every ${RECONNECT_MS / 1000} s`);
    down = true;
  });
  // mqtt.js emits 'error' for refused connections and socket errors; without a listener Node
  // would throw. Repeats of the same error are not logged again.
  client.on('error', (err) => {
    // Network errors are the same for every connection; the gateway client reports them.
    const network = typeof (err as { code?: unknown }).code === 'string' && String((err as { code?: unknown }).code).startsWith('E');
    if (network && !verbose) return;
    if (err.message !== lastError) log(`${label}: MQTT error: ${err.message}`);
    lastError = err.message;
  });
}
