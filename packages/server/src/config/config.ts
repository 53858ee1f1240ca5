/**
 * Configuration from the environment, validated at start-up. A bad value is a ConfigError naming
 * the variable and the reason; main prints it as one line and exits.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPassword, type EscalationPolicy, parseEscalationPolicy, type WarningThresholds } from '@haidang/domain';
import { StartupError } from '../services/startup-error.ts';
import { ORG_PRESETS, type OrgPresetName } from './org-presets.ts';
import { SHIPPED_WARNING_THRESHOLDS, loadWarningThresholds } from './warning-thresholds.ts';

export interface Config {
  httpPort: number;
  httpHost: string;
  /** Embedded MQTT broker port; 0 = no embedded broker. */
  mqttPort: number;
  mqttHost: string;
  dataDir: string;
  /** PostgreSQL server; undefined = embedded PGlite in dataDir. */
  databaseUrl: string | undefined;
  /** External MQTT broker to subscribe to; undefined = the embedded broker. */
  mqttUrl: string | undefined;
  /** Shared-subscription group on the external broker, so several IOC nodes split one stream. */
  mqttShareGroup: string;
  /** Client id prefix on the external broker; its persistent sessions hold messages while the IOC is down. */
  mqttClientId: string;
  natsUrl: string | undefined;
  demo: boolean;
  simSpeed: number;
  simScenario: 'normal' | 'storm';
  adminPassword: string | undefined;
  /** Org tree preset applied at set-up (and when changed). */
  orgPreset: OrgPresetName;
  /** Warning thresholds (flood stations and their devices, rainfall classes, street-depth bands), validated. */
  warningThresholds: WarningThresholds;
  /** The file they were read from. */
  warningThresholdsPath: string;
  /** Mark the session cookie Secure (serve over HTTPS, or behind a TLS proxy). */
  cookieSecure: boolean;
  /** Which proxies to believe about the client address (X-Forwarded-For): none, all, a hop count, or addresses. */
  trustProxy: boolean | number | string[];
  /** Who may send readings: anyone with the FIWARE API key and device id, or signed-in senders only. */
  ingestAuth: 'apikey' | 'credentials';
  /** Minutes without acknowledgement before an alert escalates, per severity. */
  escalation: EscalationPolicy;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest MQTT payload or HTTP body accepted, in bytes. */
  maxPayloadBytes: number;
  retention: { rawDays: number; minuteDays: number; hourDays: number };
  /** The built operator console's folder. */
  consoleDir: string;
  /** A base map's XYZ tile URL template, or null: the map shows boundaries from the server only. */
  mapTileUrl: string | null;
  mapTileAttribution: string | null;
}

/** A bad configuration value: a start-up error naming the variable. */
export class ConfigError extends StartupError {
  override readonly name = 'ConfigError';
}

interface VarSpec {
  name: string;
  default: string | undefined;
  help: { vi: string; en: string };
}

/** Every variable, its default and its meaning: `--help` prints this table. */
export const CONFIG_VARS: VarSpec[] = [
  { name: 'IOC_HTTP_PORT', default: '8080', help: { vi: 'Cổng HTTP (API)', en: 'HTTP port (API)' } },
  { name: 'IOC_HTTP_HOST', default: '0.0.0.0', help: { vi: 'Địa chỉ lắng nghe HTTP', en: 'HTTP listen address' } },
  { name: 'IOC_MQTT_PORT', default: '1883', help: { vi: 'Cổng broker MQTT nhúng; 0 = không chạy broker nhúng', en: 'embedded MQTT broker port; 0 = no embedded broker' } },
  { name: 'IOC_MQTT_HOST', default: '0.0.0.0', help: { vi: 'Địa chỉ lắng nghe của broker nhúng', en: 'embedded broker listen address' } },
  { name: 'IOC_DATA_DIR', default: './data', help: { vi: 'Thư mục dữ liệu (PGlite nhúng)', en: 'data folder (embedded PGlite)' } },
  { name: 'DATABASE_URL', default: undefined, help: { vi: 'PostgreSQL 15+ (postgres://…); bỏ trống = CSDL nhúng', en: 'PostgreSQL 15+ (postgres://…); unset = embedded database' } },
  { name: 'MQTT_URL', default: undefined, help: { vi: 'Broker MQTT ngoài (mqtt://…); có = đăng ký nhận từ broker đó', en: 'external MQTT broker (mqtt://…); set = subscribe to it' } },
  { name: 'IOC_MQTT_SHARE_GROUP', default: 'ioc', help: { vi: 'Nhóm shared subscription trên broker ngoài', en: 'shared-subscription group on the external broker' } },
  { name: 'IOC_MQTT_CLIENT_ID', default: 'hai-dang-<hostname>', help: { vi: 'Tiền tố client id trên broker ngoài (mỗi nút IOC một giá trị riêng)', en: 'client id prefix on the external broker (one per IOC node)' } },
  { name: 'NATS_URL', default: undefined, help: { vi: 'NATS JetStream (nats://…) cho bus sự kiện nhiều nút — chưa dùng ở phiên bản này', en: 'NATS JetStream (nats://…) for the multi-node event bus — validated, not used yet' } },
  { name: 'IOC_DEMO', default: '0', help: { vi: 'Nạp thành phố mẫu và chạy bộ mô phỏng cảm biến (npm start bật)', en: 'seed the demo city and run the sensor simulator (on for npm start)' } },
  { name: 'IOC_SIM_SPEED', default: '1', help: { vi: 'Hệ số tăng tốc của bộ mô phỏng (1–3600)', en: 'simulator speed-up factor (1–3600)' } },
  { name: 'IOC_SIM_SCENARIO', default: 'normal', help: { vi: 'Kịch bản mô phỏng: normal | storm', en: 'simulator scenario: normal | storm' } },
  { name: 'IOC_ADMIN_PASSWORD', default: undefined, help: { vi: 'Mật khẩu của tài khoản quản trị đầu tiên "admin" (≥ 12 ký tự); bỏ trống = sinh ngẫu nhiên và in ra một lần', en: 'password of the first admin account "admin" (≥ 12 characters); unset = generated and printed once' } },
  { name: 'IOC_ORG_PRESET', default: 'danang-2023', help: { vi: 'Cây tổ chức mẫu: danang-2023 | danang-2025 (đổi sau này = chuyển sang bố cục mới, giữ lịch sử)', en: 'org tree preset: danang-2023 | danang-2025 (changing it later moves to the new layout, keeping history)' } },
  { name: 'IOC_WARNING_THRESHOLDS', default: undefined, help: { vi: 'Tệp JSON ngưỡng cảnh báo (mực báo động, trạm ↔ thiết bị, cấp mưa, mức ngập); bỏ trống = packages/server/presets/warning-thresholds.json', en: 'warning thresholds JSON file (alarm levels, station ↔ devices, rainfall classes, flood depths); unset = packages/server/presets/warning-thresholds.json' } },
  { name: 'IOC_ALERT_ESCALATION', default: 'extreme=5,critical=10,major=30,minor=120', help: { vi: 'Số phút chưa tiếp nhận trước khi cảnh báo được chuyển lên đơn vị cấp trên, theo mức độ; để trống = không chuyển', en: 'minutes unacknowledged before an alert escalates to the parent unit, per severity; empty = never' } },
  { name: 'IOC_INGEST_AUTH', default: 'apikey', help: { vi: 'Ai được gửi số liệu: apikey (chuẩn FIWARE: khóa nhóm + mã thiết bị) | credentials (phải có khóa API của đơn vị cung cấp dữ liệu hoặc mã truy cập thiết bị)', en: 'who may send readings: apikey (FIWARE: group key + device id) | credentials (a data provider API key or the device access token is required)' } },
  { name: 'IOC_TRUST_PROXY', default: '0', help: { vi: 'Tin proxy nào về địa chỉ client (X-Forwarded-For): 0 | 1 (tất cả) | số bước | danh sách IP/CIDR cách nhau dấu phẩy — cần khi chạy sau reverse proxy', en: 'proxies to trust for the client address (X-Forwarded-For): 0 | 1 (all) | hop count | comma-separated IPs/CIDRs — needed behind a reverse proxy' } },
  { name: 'IOC_COOKIE_SECURE', default: '0', help: { vi: 'Cookie phiên chỉ gửi qua HTTPS (bật khi chạy sau TLS)', en: 'session cookie sent over HTTPS only (turn on behind TLS)' } },
  { name: 'IOC_CONSOLE_DIR', default: undefined, help: { vi: 'Thư mục giao diện điều hành đã build; bỏ trống = apps/console/dist', en: 'folder of the built operator console; unset = apps/console/dist' } },
  { name: 'IOC_MAP_TILE_URL', default: undefined, help: { vi: 'Mẫu URL ô bản đồ nền XYZ (…/{z}/{x}/{y}.png) nếu có máy chủ bản đồ; bỏ trống = bản đồ chỉ có ranh giới, không cần Internet', en: 'XYZ base-map tile URL template (…/{z}/{x}/{y}.png) when a tile server exists; unset = boundaries only, no internet needed' } },
  { name: 'IOC_MAP_TILE_ATTRIBUTION', default: undefined, help: { vi: 'Ghi công của bản đồ nền (hiện trên bản đồ)', en: 'attribution of the base map (shown on the map)' } },
  { name: 'IOC_LOG_LEVEL', default: 'info', help: { vi: 'Mức log: fatal|error|warn|info|debug|trace|silent', en: 'log level: fatal|error|warn|info|debug|trace|silent' } },
  { name: 'IOC_MAX_PAYLOAD_BYTES', default: '1048576', help: { vi: 'Kích thước tối đa của một bản tin MQTT / thân HTTP (byte)', en: 'largest MQTT payload / HTTP body (bytes)' } },
  { name: 'IOC_RETENTION_RAW_DAYS', default: '30', help: { vi: 'Số ngày giữ số liệu gốc (0 = mãi mãi)', en: 'days to keep raw readings (0 = forever)' } },
  { name: 'IOC_RETENTION_MINUTE_DAYS', default: '400', help: { vi: 'Số ngày giữ số liệu tổng hợp theo phút (0 = mãi mãi)', en: 'days to keep per-minute rollups (0 = forever)' } },
  { name: 'IOC_RETENTION_HOUR_DAYS', default: '0', help: { vi: 'Số ngày giữ số liệu tổng hợp theo giờ (0 = mãi mãi)', en: 'days to keep per-hour rollups (0 = forever)' } },
];

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v !== undefined && v.trim() !== '') return v.trim();
  return CONFIG_VARS.find((c) => c.name === name)?.default;
}

function int(env: Env, name: string, min: number, max: number): number {
  const raw = read(env, name) ?? '';
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a whole number (expected ${min}–${max})`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `${n} is outside ${min}–${max}`);
  return n;
}

function bool(env: Env, name: string): boolean {
  const raw = (read(env, name) ?? '').toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `"${raw}" is not a boolean (use 1/0, true/false, yes/no, on/off)`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `scheme "${parsed.protocol}" is not one of ${protocols.map((p) => `${p}://`).join(', ')}`);
  }
  if (!parsed.hostname) throw new ConfigError(name, 'has no host');
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[]): T {
  const raw = read(env, name) ?? '';
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(name, `"${raw}" is not one of ${values.join(', ')}`);
  return raw as T;
}

function trustProxy(env: Env): boolean | number | string[] {
  const raw = read(env, 'IOC_TRUST_PROXY') ?? '0';
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((x) => x.trim());
  if (list.every((x) => /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(x))) return list;
  throw new ConfigError('IOC_TRUST_PROXY', `"${raw}" is not 0, 1, a hop count or a comma-separated list of IP addresses / CIDRs`);
}

/** Reads and validates the configuration; throws ConfigError on the first bad variable. */
export function loadConfig(env: Env, hostName = 'ioc'): Config {
  const adminPassword = read(env, 'IOC_ADMIN_PASSWORD');
  if (adminPassword !== undefined) {
    const problems = checkPassword(adminPassword, { username: 'admin' });
    if (problems.length) throw new ConfigError('IOC_ADMIN_PASSWORD', problems.map((p) => p.message).join('; '));
  }
  const shareGroup = read(env, 'IOC_MQTT_SHARE_GROUP') ?? 'ioc';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(shareGroup)) {
    throw new ConfigError('IOC_MQTT_SHARE_GROUP', 'must be 1–64 letters, digits, _ or -');
  }
  const thresholdsFile = read(env, 'IOC_WARNING_THRESHOLDS');
  const warningThresholdsPath = thresholdsFile === undefined ? SHIPPED_WARNING_THRESHOLDS : resolve(thresholdsFile);
  let warningThresholds: WarningThresholds;
  try {
    warningThresholds = loadWarningThresholds(warningThresholdsPath);
  } catch (e) {
    throw e instanceof StartupError ? new ConfigError(e.variable, e.reason) : e;
  }
  const escalation = parseEscalationPolicy(env.IOC_ALERT_ESCALATION ?? 'extreme=5,critical=10,major=30,minor=120');
  if (!escalation.ok) throw new ConfigError('IOC_ALERT_ESCALATION', `${escalation.errors[0]!.message} (e.g. extreme=5,critical=10,major=30,minor=120)`);
  const clientId = env.IOC_MQTT_CLIENT_ID?.trim() || `hai-dang-${hostName}`;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(clientId)) {
    throw new ConfigError('IOC_MQTT_CLIENT_ID', 'must be 1–40 letters, digits, _ or -');
  }
  return {
    httpPort: int(env, 'IOC_HTTP_PORT', 0, 65535),
    httpHost: read(env, 'IOC_HTTP_HOST') ?? '0.0.0.0',
    mqttPort: int(env, 'IOC_MQTT_PORT', 0, 65535),
    mqttHost: read(env, 'IOC_MQTT_HOST') ?? '0.0.0.0',
    dataDir: read(env, 'IOC_DATA_DIR') ?? './data',
    databaseUrl: url(env, 'DATABASE_URL', ['postgres', 'postgresql']),
    mqttUrl: url(env, 'MQTT_URL', ['mqtt', 'mqtts', 'tcp', 'ssl', 'ws', 'wss']),
    mqttShareGroup: shareGroup,
    mqttClientId: clientId,
    natsUrl: url(env, 'NATS_URL', ['nats', 'tls']),
    demo: bool(env, 'IOC_DEMO'),
    simSpeed: int(env, 'IOC_SIM_SPEED', 1, 3600),
    simScenario: oneOf(env, 'IOC_SIM_SCENARIO', ['normal', 'storm'] as const),
    adminPassword,
    orgPreset: oneOf(env, 'IOC_ORG_PRESET', ORG_PRESETS),
    warningThresholds,
    warningThresholdsPath,
    cookieSecure: bool(env, 'IOC_COOKIE_SECURE'),
    ingestAuth: oneOf(env, 'IOC_INGEST_AUTH', ['apikey', 'credentials'] as const),
    escalation: escalation.value,
    trustProxy: trustProxy(env),
    logLevel: oneOf(env, 'IOC_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    maxPayloadBytes: int(env, 'IOC_MAX_PAYLOAD_BYTES', 1024, 64 * 1024 * 1024),
    retention: {
      rawDays: int(env, 'IOC_RETENTION_RAW_DAYS', 0, 36500),
      minuteDays: int(env, 'IOC_RETENTION_MINUTE_DAYS', 0, 36500),
      hourDays: int(env, 'IOC_RETENTION_HOUR_DAYS', 0, 36500),
    },
    consoleDir: resolve(read(env, 'IOC_CONSOLE_DIR') ?? SHIPPED_CONSOLE_DIR),
    mapTileUrl: tileUrl(env),
    mapTileAttribution: read(env, 'IOC_MAP_TILE_ATTRIBUTION')?.slice(0, 500) ?? null,
  };
}

/** Where `npm run build` puts the operator console. */
const SHIPPED_CONSOLE_DIR = fileURLToPath(new URL('../../../../apps/console/dist', import.meta.url));

/** An http(s) XYZ template with {z}, {x} and {y} (MapLibre's raster source). */
function tileUrl(env: Env): string | null {
  const raw = url(env, 'IOC_MAP_TILE_URL', ['http', 'https']);
  if (raw === undefined) return null;
  const template = read(env, 'IOC_MAP_TILE_URL')!;
  if (!['{z}', '{x}', '{y}'].every((p) => template.includes(p))) throw new ConfigError('IOC_MAP_TILE_URL', 'must contain {z}, {x} and {y} (e.g. https://tiles.example.vn/{z}/{x}/{y}.png)');
  return template;
}

/** The `--help` text: usage and every variable with its default, in Vietnamese and English. */
export function helpText(): string {
  const rows = CONFIG_VARS.map((v) => `  ${v.name.padEnd(26)} ${(v.default ?? '—').padEnd(9)} ${v.help.vi}\n  ${''.padEnd(26)} ${''.padEnd(9)} ${v.help.en}`);
  return [
    'Hải Đăng — Trung tâm giám sát, điều hành thông minh (IOC)',
    '',
    'Cách dùng / Usage: npm start  |  npm run serve  |  node --import tsx packages/server/src/main.ts [--help]',
    '',
    'Biến môi trường / Environment variables (tên, mặc định, ý nghĩa / name, default, meaning):',
    ...rows,
    '',
  ].join('\n');
}
