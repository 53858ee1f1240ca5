/**
 * Configuration: defaults, every variable's bad values refused by name, the --help text, and the
 * command line's behaviour on a bad value or a port in use (exit code 2, one line on stderr).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { CONFIG_VARS, ConfigError, helpText, loadConfig } from '../src/config/config.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = 'packages/server/src/main.ts';

/**
 * Bad values of every variable. A variable without any (free text: hosts, folders) has an empty
 * list, on purpose: a new variable must be added here, with its bad values.
 */
const BAD: Record<string, string[]> = {
  IOC_ORG_PRESET: ['danang-2024', 'DANANG-2023', 'hanoi'],
  // Missing, not JSON, JSON but not thresholds (an org preset).
  IOC_WARNING_THRESHOLDS: ['/nonexistent/warning-thresholds.json', fileURLToPath(new URL('../../../README.md', import.meta.url)), fileURLToPath(new URL('../presets/danang-2023.json', import.meta.url))],
  IOC_COOKIE_SECURE: ['maybe', '2'],
  IOC_INGEST_AUTH: ['none', 'APIKEY', 'token'],
  IOC_ALERT_ESCALATION: ['urgent=5', 'major=0', 'major=30=60', 'major=0x1e', 'major', 'minor=99999'],
  IOC_TRUST_PROXY: ['maybe', '10.0.0.1;10.0.0.2', 'proxy.local'],
  IOC_HTTP_PORT: ['abc', '-1', '65536', '80.5', '1e3', '0x50', '8 0'],
  IOC_HTTP_HOST: [],
  IOC_MQTT_PORT: ['abc', '70000', '-1883'],
  IOC_MQTT_HOST: [],
  IOC_DATA_DIR: [],
  DATABASE_URL: ['not a url', 'mysql://localhost/ioc', 'http://localhost:5432/ioc', 'postgres://'],
  MQTT_URL: ['broker', 'http://broker:1883', 'mqtt://'],
  IOC_MQTT_SHARE_GROUP: ['a/b', 'g+', 'x'.repeat(65), 'có dấu'],
  IOC_MQTT_CLIENT_ID: ['a b', 'x'.repeat(41), 'id#1'],
  NATS_URL: ['nats', 'http://nats:4222'],
  IOC_DEMO: ['maybe', '2', 'có'],
  IOC_SIM_SPEED: ['0', '3601', 'fast', '1.5'],
  IOC_SIM_SCENARIO: ['flood', 'Storm'],
  IOC_ADMIN_PASSWORD: ['short', '12345678901', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'admin-admin-Admin-2026', 'passwordpassword'],
  IOC_LOG_LEVEL: ['verbose', 'INFO', 'warning'],
  // Any folder: a missing one is reported at start (the console answers 503), not refused.
  IOC_CONSOLE_DIR: [],
  IOC_MAP_TILE_URL: ['tiles.example.vn/{z}/{x}/{y}.png', 'ftp://tiles.example.vn/{z}/{x}/{y}.png', 'https://tiles.example.vn/tiles.png', 'https://tiles.example.vn/{z}/{x}.png'],
  IOC_MAP_TILE_ATTRIBUTION: [],
  IOC_MAX_PAYLOAD_BYTES: ['1023', '67108865', '1MB', '-5'],
  IOC_RETENTION_RAW_DAYS: ['-1', '36501', 'x'],
  IOC_RETENTION_MINUTE_DAYS: ['-1', '36501', '7d'],
  IOC_RETENTION_HOUR_DAYS: ['-1', '36501', 'forever'],
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `a ConfigError, not ${(e as Error).name}: ${(e as Error).message}`);
    return e;
  }
  assert.fail(`${JSON.stringify(env)} was accepted`);
}

describe('loadConfig', () => {
  it('has the documented defaults with an empty environment', () => {
    const c = loadConfig({});
    assert.equal(c.httpPort, 8080);
    assert.equal(c.httpHost, '0.0.0.0');
    assert.equal(c.mqttPort, 1883);
    assert.equal(c.mqttHost, '0.0.0.0');
    assert.equal(c.dataDir, './data');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.mqttUrl, undefined);
    assert.equal(c.mqttShareGroup, 'ioc');
    assert.equal(c.natsUrl, undefined);
    assert.equal(c.demo, false);
    assert.equal(c.simSpeed, 1);
    assert.equal(c.simScenario, 'normal');
    assert.equal(c.adminPassword, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.maxPayloadBytes, 1_048_576);
    assert.deepEqual(c.retention, { rawDays: 30, minuteDays: 400, hourDays: 0 });
    assert.equal(c.warningThresholdsPath, fileURLToPath(new URL('../presets/warning-thresholds.json', import.meta.url)));
    assert.equal(c.warningThresholds.id, JSON.parse(readFileSync(c.warningThresholdsPath, 'utf8')).id);
  });

  it('agrees with the defaults that --help shows', () => {
    const c = loadConfig({}) as unknown as Record<string, unknown>;
    const shown = Object.fromEntries(CONFIG_VARS.map((v) => [v.name, v.default]));
    assert.equal(String(c.httpPort), shown.IOC_HTTP_PORT);
    assert.equal(String(c.mqttPort), shown.IOC_MQTT_PORT);
    assert.equal(c.dataDir, shown.IOC_DATA_DIR);
    assert.equal(String(c.maxPayloadBytes), shown.IOC_MAX_PAYLOAD_BYTES);
    assert.equal(c.logLevel, shown.IOC_LOG_LEVEL);
    assert.equal(c.simScenario, shown.IOC_SIM_SCENARIO);
  });

  it('reads good values, trimmed; blank means the default', () => {
    const c = loadConfig({
      IOC_HTTP_PORT: ' 9090 ',
      IOC_MQTT_PORT: '0',
      IOC_HTTP_HOST: '127.0.0.1',
      IOC_DATA_DIR: '/var/lib/ioc',
      DATABASE_URL: 'postgresql://ioc:secret@db.internal:5432/ioc',
      MQTT_URL: 'mqtts://broker.example:8883',
      NATS_URL: 'nats://nats:4222',
      IOC_DEMO: 'YES',
      IOC_SIM_SPEED: '3600',
      IOC_SIM_SCENARIO: 'storm',
      IOC_ADMIN_PASSWORD: 'mật-khẩu-dài-đủ-Đà-Nẵng-2026',
      IOC_LOG_LEVEL: 'silent',
      IOC_MAX_PAYLOAD_BYTES: '1024',
      IOC_RETENTION_RAW_DAYS: '0',
      IOC_RETENTION_HOUR_DAYS: '36500',
      IOC_MQTT_SHARE_GROUP: '   ',
    });
    assert.equal(c.httpPort, 9090);
    assert.equal(c.mqttPort, 0);
    assert.equal(c.httpHost, '127.0.0.1');
    assert.equal(c.dataDir, '/var/lib/ioc');
    assert.equal(c.databaseUrl, 'postgresql://ioc:secret@db.internal:5432/ioc');
    assert.equal(c.mqttUrl, 'mqtts://broker.example:8883');
    assert.equal(c.natsUrl, 'nats://nats:4222');
    assert.equal(c.demo, true);
    assert.equal(c.simSpeed, 3600);
    assert.equal(c.simScenario, 'storm');
    assert.equal(c.adminPassword, 'mật-khẩu-dài-đủ-Đà-Nẵng-2026');
    assert.equal(c.logLevel, 'silent');
    assert.equal(c.maxPayloadBytes, 1024);
    assert.deepEqual(c.retention, { rawDays: 0, minuteDays: 400, hourDays: 36500 });
    assert.equal(c.mqttShareGroup, 'ioc');
    for (const [v, want] of [['1', true], ['true', true], ['on', true], ['0', false], ['false', false], ['no', false], ['OFF', false]] as const) {
      assert.equal(loadConfig({ IOC_DEMO: v }).demo, want, v);
    }
    assert.equal(loadConfig({ IOC_HTTP_PORT: '65535' }).httpPort, 65535);
    assert.equal(loadConfig({ IOC_MAX_PAYLOAD_BYTES: String(64 * 1024 * 1024) }).maxPayloadBytes, 64 * 1024 * 1024);
  });

  it('has bad-value cases for every variable (add a new variable to BAD)', () => {
    assert.deepEqual(Object.keys(BAD).sort(), CONFIG_VARS.map((v) => v.name).sort());
  });

  for (const [name, values] of Object.entries(BAD)) {
    for (const value of values) {
      it(`refuses ${name}=${JSON.stringify(value)} with a ConfigError naming ${name}`, () => {
        const e = configError({ [name]: value });
        assert.equal(e.variable, name);
        assert.ok(e.message.startsWith(`${name}: `), e.message);
        assert.ok(e.reason.length > 0);
        assert.ok(!e.message.includes('\n'), 'one line');
      });
    }
  }

  it('names the bad variable even when others are good', () => {
    const e = configError({ IOC_HTTP_PORT: '8081', IOC_MQTT_PORT: '1884', IOC_LOG_LEVEL: 'loud', IOC_DEMO: '1' });
    assert.equal(e.variable, 'IOC_LOG_LEVEL');
  });

  it('reads IOC_WARNING_THRESHOLDS from a file, relative to the working folder, and names the first bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ioc-thresholds-'));
    try {
      const preset = JSON.parse(readFileSync(fileURLToPath(new URL('../presets/warning-thresholds.json', import.meta.url)), 'utf8'));
      preset.floodStations[0].devices = ['rl-own-001'];
      writeFileSync(join(dir, 'good.json'), JSON.stringify(preset));
      const c = loadConfig({ IOC_WARNING_THRESHOLDS: join(dir, 'good.json') });
      assert.deepEqual(c.warningThresholds.floodStations[0]!.devices, ['rl-own-001']);
      assert.equal(loadConfig({ IOC_WARNING_THRESHOLDS: relative(process.cwd(), join(dir, 'good.json')) }).warningThresholdsPath, join(dir, 'good.json'));
      preset.floodStations[2].bd2.m = 0.5;
      preset.floodStations[1].devices = ['rl-own-001'];
      writeFileSync(join(dir, 'bad.json'), JSON.stringify(preset));
      const e = configError({ IOC_WARNING_THRESHOLDS: join(dir, 'bad.json') });
      assert.match(e.message, /^IOC_WARNING_THRESHOLDS: .*bad\.json is not valid warning thresholds: floodStations\/1\/devices\/0 duplicate: device rl-own-001 is also mapped to station cam-le; floodStations\/2\/bd2\/m not_increasing: /);
      assert.ok(!e.message.includes('\n'), 'one line');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not echo a bad password or URL credentials back in full', () => {
    const e = configError({ IOC_ADMIN_PASSWORD: 'hunter2' });
    assert.ok(!e.message.includes('hunter2'), e.message);
    const u = configError({ DATABASE_URL: 'mysql://ioc:s3cret@db/ioc' });
    assert.ok(!u.message.includes('s3cret'), u.message);
  });
});

describe('helpText', () => {
  const text = helpText();
  it('lists every variable with its default and its help in Vietnamese and English', () => {
    for (const v of CONFIG_VARS) {
      assert.ok(text.includes(v.name), v.name);
      if (v.default !== undefined) assert.match(text, new RegExp(`${v.name}\\s+${v.default.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`), `${v.name} default`);
      assert.ok(text.includes(v.help.vi), `${v.name} vi`);
      assert.ok(text.includes(v.help.en), `${v.name} en`);
    }
    assert.match(text, /--help/);
  });
});

/**
 * Runs main.ts with exactly this environment; resolves with its exit code and output. A process
 * that starts after all (it logs "IOC ready") is stopped at once, so that a regression fails fast.
 */
function runMain(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('IOC ready')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** stderr is exactly one line naming `variable`, without a stack trace. */
function assertOneLine(stderr: string, variable: string): void {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.match(lines[0]!, new RegExp(`^hai-dang: ${variable}: `));
  assert.doesNotMatch(stderr, /\n\s+at |Error:|node:internal/, 'no stack trace');
}

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    // The IOC listens on 0.0.0.0 by default: hold the port there, whatever the IPv6 settings.
    server.listen(0, '0.0.0.0', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0 });
    });
  });
}

// Each run loads the whole server (~4 s); the port tests also open PGlite. Two at a time.
describe('main.ts on the command line', { concurrency: 2 }, () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  const freshDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'ioc-config-test-'));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('exits 2 with one line naming IOC_MQTT_PORT when the MQTT port is in use', async () => {
    const { server, port } = await occupyPort();
    servers.push(server);
    const dir = await freshDir();
    const r = await runMain({ IOC_MQTT_PORT: String(port), IOC_HTTP_PORT: '0', IOC_HTTP_HOST: '127.0.0.1', IOC_DATA_DIR: dir, IOC_DEMO: '0', IOC_LOG_LEVEL: 'info' });
    assert.equal(r.code, 2, r.stderr);
    assertOneLine(r.stderr, 'IOC_MQTT_PORT');
    assert.match(r.stderr, new RegExp(`port ${port} .*in use`));
  });

  it('exits 2 with one line naming IOC_HTTP_PORT when the HTTP port is in use', async () => {
    const { server, port } = await occupyPort();
    servers.push(server);
    const dir = await freshDir();
    const r = await runMain({ IOC_HTTP_PORT: String(port), IOC_MQTT_PORT: '0', IOC_DATA_DIR: dir, IOC_DEMO: '0', IOC_LOG_LEVEL: 'info' });
    assert.equal(r.code, 2, r.stderr);
    assertOneLine(r.stderr, 'IOC_HTTP_PORT');
    assert.match(r.stderr, new RegExp(`port ${port} .*in use`));
  });
  it('exits 2 with one line naming IOC_HTTP_PORT for IOC_HTTP_PORT=abc', async () => {
    const r = await runMain({ IOC_HTTP_PORT: 'abc' });
    assert.equal(r.code, 2, r.stderr);
    assertOneLine(r.stderr, 'IOC_HTTP_PORT');
    assert.match(r.stderr, /"abc"/);
  });

  it('prints the help and exits 0 with --help', async () => {
    const r = await runMain({ IOC_HTTP_PORT: 'abc' }, ['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /IOC_MQTT_PORT/);
    for (const v of CONFIG_VARS) assert.ok(r.stdout.includes(v.name), v.name);
  });

});
