import type { MqttIngest } from '../../services/mqtt-ingest.ts';
import { TOPICS } from '../../services/mqtt-ingest.ts';
import type { Logger } from '../../services/ports.ts';
import { startSubscriber, type Subscriber } from './mqtt-subscriber.ts';

export interface ExternalSubscriber {
  /** Resolves when every connection has its subscriptions. */
  ready(): Promise<void>;
  connected(): boolean;
  close(): Promise<void>;
}

/** How long the broker keeps our session and queues messages while the IOC is down. */
export const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * Subscribes to an external broker (Mosquitto, EMQX…) with MQTT 5 shared subscriptions
 * (`$share/{group}/…`, MQTT 5.0 §4.8.2), so that several IOC nodes split one stream.
 *
 * Durability: a persistent session (clean start off, 7-day expiry) and QoS 1; the PUBACK to the
 * broker is sent only after the readings are committed, so a crash between the two means a
 * redelivery (stored once), never a loss.
 */
export async function startExternalSubscriber(opts: {
  url: string;
  group: string;
  clientId: string;
  ingest: MqttIngest;
  log: Logger;
}): Promise<ExternalSubscriber> {
  const filters = TOPICS.iotaFilters.map((f) => `$share/${opts.group}/${f}`);
  let lastError = '';
  const subscriber: Subscriber = startSubscriber({
    url: opts.url,
    clientId: opts.clientId,
    filters,
    sessionExpirySeconds: SESSION_EXPIRY_SECONDS,
    onMessage: async (topic, payload) => {
      await opts.ingest.handle(topic, payload, { trustedBroker: true });
    },
    onError: (e) => {
      // A broker that is down gives the same error every back-off step: log it once per change.
      if (e.message !== lastError) opts.log.warn({ err: e.message, url: opts.url }, 'external MQTT broker: connection problem; retrying');
      lastError = e.message;
    },
    onConnect: () => {
      if (lastError) opts.log.info({ url: opts.url }, 'external MQTT broker: connected again');
      lastError = '';
    },
  });
  opts.log.info({ url: opts.url, clientId: opts.clientId, filters }, 'subscribing to external MQTT broker');
  return {
    ready: () => subscriber.ready,
    connected: () => subscriber.connected(),
    close: () => subscriber.close(),
  };
}
