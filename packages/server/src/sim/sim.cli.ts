// Command line for the sensor simulator: npm run sim -- [options]
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { SCENARIO_NAMES, type ScenarioName } from './sim.types.ts';
import { loadDemoDevices, loadDevicesFile, startSimulator } from './simulator.ts';

const USAGE = `Bộ mô phỏng cảm biến Hải Đăng — phát số liệu mô phỏng của thành phố Đà Nẵng qua MQTT.
Hải Đăng sensor simulator — publishes simulated Đà Nẵng sensor readings over MQTT.

Cách dùng / Usage: npm run sim -- [tùy chọn / options]

  --url <url>           Địa chỉ broker MQTT / broker URL            (mặc định / default mqtt://127.0.0.1:1883)
  --scenario <name>     Kịch bản / scenario: normal | storm          (normal)
                        storm = một ngày mưa lớn, lũ và ngập được nén lại / a compressed heavy-rain and flood day
  --speed <n>           Tốc độ mô phỏng (giây mô phỏng mỗi giây thực) / sim seconds per real second (1)
  --qos <0|1>           Mức QoS MQTT / MQTT QoS                      (1)
  --devices <file.json> Tệp thiết bị / device file, {"devices":[...]} (thành phố mẫu / the demo city)
  --bad-rate <p>        Tỉ lệ bản tin lỗi cố ý / share of deliberately bad messages (0.005)
  --dropout-rate <p>    Xác suất mất tín hiệu mỗi lần gửi / chance per report of a device going silent (0.001)
  --start <iso>         Thời điểm mô phỏng bắt đầu / sim start, e.g. 2025-10-28T05:00:00+07:00 (now / bây giờ)
  -h, --help            In hướng dẫn này / print this help

Ví dụ / Example: npm run sim -- --scenario storm --speed 60
Dừng bằng Ctrl-C / stop with Ctrl-C.`;

function fail(msg: string): never {
  console.error(`${msg}\n\n${USAGE}`);
  process.exit(2);
}

function numberArg(name: string, raw: string | undefined, check: (n: number) => boolean): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) fail(`--${name}: giá trị không hợp lệ / invalid value "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        scenario: { type: 'string', default: 'normal' },
        speed: { type: 'string' },
        qos: { type: 'string' },
        devices: { type: 'string' },
        'bad-rate': { type: 'string' },
        'dropout-rate': { type: 'string' },
        start: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const scenario = args.scenario as ScenarioName;
  if (!SCENARIO_NAMES.includes(scenario)) fail(`--scenario: phải là / must be ${SCENARIO_NAMES.join(' | ')}`);
  const speed = numberArg('speed', args.speed, (n) => n > 0);
  const qos = numberArg('qos', args.qos, (n) => n === 0 || n === 1) as 0 | 1 | undefined;
  const badMessageRate = numberArg('bad-rate', args['bad-rate'], (n) => n >= 0 && n <= 1);
  const dropoutRate = numberArg('dropout-rate', args['dropout-rate'], (n) => n >= 0 && n <= 1);
  let startAt: number | undefined;
  if (args.start !== undefined) {
    startAt = Date.parse(args.start);
    if (!Number.isFinite(startAt)) fail(`--start: không phải thời điểm ISO 8601 / not an ISO 8601 date-time "${args.start}"`);
  }

  // npm run starts us in the repository root; a relative path means the caller's directory.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const devices = args.devices ? await loadDevicesFile(resolve(cwd, args.devices)) : await loadDemoDevices();
  const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);
  const sim = await startSimulator({ url: args.url!, devices, scenario, speed, qos, badMessageRate, dropoutRate, startAt, log });

  const report = setInterval(() => {
    const s = sim.stats();
    log(`đã gửi / published ${s.published} (lỗi cố ý / bad ${s.bad})`);
  }, 10_000);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(report);
    log(`${signal}: đang dừng / stopping…`);
    await sim.stop();
    const s = sim.stats();
    log(`đã dừng / stopped: published ${s.published}, bad ${s.bad}`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
