import mqtt, { type MqttClient } from 'mqtt';
import type { MqttIngest } from '../../services/mqtt-ingest.ts';
import { TOPICS } from '../../services/mqtt-ingest.ts';
import type { Logger } from '../../services/ports.ts';

export interface ExternalSubscriber {
  /** Resolves when every connection has its subscriptions. */
  ready(): Promise<void>;
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * Subscribes to an external broker (Mosquitto, EMQX…) with MQTT 5 shared subscriptions
 * (`$share/{group}/…`, MQTT 5.0 §4.8.2), so that several IOC nodes split one stream.
 *
 * Durability: persistent sessions (clean start off, long session expiry) and QoS 1; the PUBACK
 * to the broker is sent only after the readings are committed (mqtt.js sends it when
 * handleMessage calls back). mqtt.js handles one message per connection at a time, so several
 * connections join the group and their messages share each commit.
 */
export async function startExternalSubscriber(opts: {
  url: string;
  group: string;
  clientIdBase: string;
  connections?: number;
  ingest: MqttIngest;
  log: Logger;
}): Promise<ExternalSubscriber> {
  const n = opts.connections ?? 8;
  const filters = TOPICS.iotaFilters.map((f) => `$share/${opts.group}/${f}`);
  const clients: MqttClient[] = [];
  const subscribed: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const client = mqtt.connect(opts.url, {
      clientId: `${opts.clientIdBase}-${i}`,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: 7 * 24 * 3600 },
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    client.handleMessage = (packet, callback) => {
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      opts.ingest.handle(packet.topic, payload, undefined).then(
        () => callback(),
        (err: Error) => {
          // Not committed: drop the connection without the PUBACK; the broker redelivers.
          opts.log.error({ err: err.message }, 'MQTT ingest failed; reconnecting without acknowledging');
          client.stream.destroy();
        },
      );
    };
    client.on('error', (e) => opts.log.warn({ err: e.message, url: opts.url }, 'external MQTT broker error'));
    subscribed.push(
      new Promise<void>((resolve) => {
        const subscribe = () =>
          client.subscribe(filters, { qos: 1 }, (err) => {
            if (err) opts.log.error({ err: err.message }, 'subscription refused');
            else resolve();
          });
        client.on('connect', (connack) => {
          // A resumed session keeps its subscriptions; a new one needs them.
          if (!connack.sessionPresent) subscribe();
          else resolve();
        });
      }),
    );
    clients.push(client);
  }
  opts.log.info({ url: opts.url, connections: n, filters }, 'subscribing to external MQTT broker');
  return {
    ready: () => Promise.all(subscribed).then(() => undefined),
    connected: () => clients.every((c) => c.connected),
    async close() {
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}
