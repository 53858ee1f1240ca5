/**
 * The real servers the server-mode tests run against. CI sets IOC_TEST_REQUIRE_SERVERS=1, and
 * then an unreachable server fails the run; elsewhere such tests skip with a printed notice.
 */
import { connect } from 'node:net';
import pg from 'pg';

export const PG_URL = process.env.IOC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MQTT_URL = process.env.IOC_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const REQUIRED = process.env.IOC_TEST_REQUIRE_SERVERS === '1';

async function reachable(what: string, probe: () => Promise<void>): Promise<string | false> {
  try {
    await probe();
    return false;
  } catch (e) {
    const msg = `${what} unreachable (${(e as Error).message})`;
    if (REQUIRED) throw new Error(`${msg}, and IOC_TEST_REQUIRE_SERVERS=1: server-mode tests must run`);
    process.stdout.write(`# NOTICE: skipping server-mode tests: ${msg}\n`);
    return msg;
  }
}

let pgSkip: Promise<string | false> | undefined;
/** false when PostgreSQL is reachable; otherwise the reason to skip. */
export function postgresSkip(): Promise<string | false> {
  pgSkip ??= reachable(`PostgreSQL at ${PG_URL}`, async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    await c.connect();
    await c.end();
  });
  return pgSkip;
}

let mqttSkip: Promise<string | false> | undefined;
/** false when the MQTT broker (Mosquitto) is reachable; otherwise the reason to skip. */
export function mqttBrokerSkip(): Promise<string | false> {
  mqttSkip ??= reachable(`MQTT broker at ${MQTT_URL}`, () => {
    const u = new URL(MQTT_URL);
    return new Promise<void>((resolve, reject) => {
      const s = connect({ host: u.hostname, port: Number(u.port || 1883), timeout: 2000 });
      s.once('connect', () => (s.end(), resolve()));
      s.once('error', reject);
      s.once('timeout', () => (s.destroy(), reject(new Error('timeout'))));
    });
  });
  return mqttSkip;
}

/** A name no other test run uses: schemas, topics, client ids. */
export const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
