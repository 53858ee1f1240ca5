import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';

/**
 * A minimal MQTT 5 subscriber that acknowledges asynchronously. mqtt.js handles one incoming
 * message per connection at a time (its PUBACK chain gates the next packet), which would limit
 * ingestion to one database commit per message. This client lets up to `receiveMaximum` QoS 1
 * messages be in flight (MQTT 5.0 §4.9) so that they share group commits, and still sends the
 * PUBACKs in the order the PUBLISH packets arrived (§4.6, [MQTT-4.6.0-2]).
 *
 * Scope: TCP and TLS (`mqtt://`, `mqtts://`, `tcp://`, `ssl://`); subscribe-only; QoS 0 and 1
 * (subscriptions ask for at most QoS 1, so the broker never sends QoS 2). Reconnects with back-off
 * and resumes its persistent session.
 */
export interface SubscriberOptions {
  url: string;
  clientId: string;
  filters: string[];
  /** Session expiry (MQTT 5 §3.1.2.11.2), seconds: the broker queues for us this long while we are away. */
  sessionExpirySeconds: number;
  receiveMaximum?: number;
  keepaliveSeconds?: number;
  onMessage(topic: string, payload: Buffer): Promise<void>;
  onError(err: Error): void;
  onConnect?(): void;
}

export interface Subscriber {
  /** Resolves once the first connection has its subscriptions. */
  ready: Promise<void>;
  connected(): boolean;
  close(): Promise<void>;
}

interface Pending {
  messageId: number;
  done: boolean;
}

export function startSubscriber(opts: SubscriberOptions): Subscriber {
  const url = new URL(opts.url);
  const tls = url.protocol === 'mqtts:' || url.protocol === 'ssl:';
  if (!['mqtt:', 'tcp:', 'mqtts:', 'ssl:'].includes(url.protocol)) {
    throw new Error(`MQTT_URL scheme ${url.protocol} is not supported for ingestion; use mqtt:// or mqtts://`);
  }
  const port = Number(url.port || (tls ? 8883 : 1883));
  const keepalive = opts.keepaliveSeconds ?? 30;
  let socket: Socket | undefined;
  let isConnected = false;
  let closing = false;
  let backoff = 500;
  let nextId = 1;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  let pingTimer: NodeJS.Timeout | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const send = (s: Socket, packet: Packet) => {
    if (!s.destroyed) s.write(mqttPacket.generate(packet, { protocolVersion: 5 }));
  };

  function open(): void {
    const s = tls
      ? tlsConnect({ host: url.hostname, port, servername: url.hostname })
      : tcpConnect({ host: url.hostname, port });
    socket = s;
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    // QoS 1 messages in arrival order; PUBACKs leave from the head as their commits complete.
    const inflight: Pending[] = [];
    let lastHeard = Date.now();
    const flushAcks = () => {
      while (inflight.length > 0 && inflight[0]!.done) {
        send(s, { cmd: 'puback', messageId: inflight.shift()!.messageId });
      }
    };

    s.setNoDelay(true);
    s.once(tls ? 'secureConnect' : 'connect', () => {
      send(s, {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 5,
        clientId: opts.clientId,
        clean: false,
        keepalive,
        username: url.username ? decodeURIComponent(url.username) : undefined,
        password: url.password ? Buffer.from(decodeURIComponent(url.password)) : undefined,
        properties: { sessionExpiryInterval: opts.sessionExpirySeconds, receiveMaximum: opts.receiveMaximum ?? 4096 },
      });
    });
    s.on('data', (chunk) => {
      lastHeard = Date.now();
      parser.parse(chunk);
    });
    parser.on('error', (e) => {
      opts.onError(e);
      s.destroy();
    });
    parser.on('packet', (packet: Packet) => {
      switch (packet.cmd) {
        case 'connack': {
          const code = packet.reasonCode ?? packet.returnCode ?? 0;
          if (code !== 0) {
            opts.onError(new Error(`broker refused the connection (reason code ${code})`));
            s.destroy();
            return;
          }
          isConnected = true;
          backoff = 500;
          opts.onConnect?.();
          if (packet.sessionPresent) resolveReady();
          else send(s, { cmd: 'subscribe', messageId: nextId++ & 0xffff || 1, subscriptions: opts.filters.map((topic) => ({ topic, qos: 1 })) });
          pingTimer = setInterval(() => {
            if (Date.now() - lastHeard > keepalive * 1500) s.destroy(new Error('keepalive timeout'));
            else send(s, { cmd: 'pingreq' });
          }, (keepalive * 1000) / 2);
          break;
        }
        case 'suback': {
          const refused = (packet.granted as number[]).filter((g) => g >= 0x80);
          if (refused.length) opts.onError(new Error(`subscription refused (reason codes ${refused.join(', ')})`));
          else resolveReady();
          break;
        }
        case 'publish': {
          const p = packet as IPublishPacket;
          const payload = typeof p.payload === 'string' ? Buffer.from(p.payload) : p.payload;
          if (p.qos === 0) {
            void opts.onMessage(p.topic, payload).catch((e: Error) => opts.onError(e));
            break;
          }
          const entry: Pending = { messageId: p.messageId!, done: false };
          inflight.push(entry);
          opts.onMessage(p.topic, payload).then(
            () => {
              entry.done = true;
              flushAcks();
            },
            (e: Error) => {
              // Not stored: drop the connection unacknowledged; the broker redelivers on resume.
              opts.onError(e);
              s.destroy();
            },
          );
          break;
        }
        case 'disconnect':
          opts.onError(new Error(`broker disconnected us (reason code ${packet.reasonCode ?? 0})`));
          s.destroy();
          break;
        default:
          break; // pingresp, and anything a subscriber need not act on
      }
    });
    s.on('error', (e) => opts.onError(e));
    s.on('close', () => {
      isConnected = false;
      clearInterval(pingTimer);
      inflight.length = 0;
      if (closing) return;
      reconnectTimer = setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, 30_000);
    });
  }

  open();
  return {
    ready,
    connected: () => isConnected,
    async close() {
      closing = true;
      clearTimeout(reconnectTimer);
      clearInterval(pingTimer);
      const s = socket;
      if (!s || s.destroyed) return;
      // Normal disconnection: the broker keeps our session (and queues) for the expiry interval.
      send(s, { cmd: 'disconnect', reasonCode: 0 });
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.end();
        setTimeout(() => (s.destroy(), r()), 2000).unref();
      });
    },
  };
}
