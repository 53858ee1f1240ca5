/** CPU accounting from /proc (Linux): per process and for the whole machine. */
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { procCpuSeconds } from './server.ts';

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
async function machineJiffies(): Promise<{ busy: number; total: number }> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** CPU use between start() and stop(): of the given processes (in cores) and of the machine (busy fraction). */
export class CpuMeter {
  private t0 = 0;
  private proc0: number[] = [];
  private m0 = { busy: 0, total: 0 };
  constructor(private readonly groups: Record<string, number[]>) {}
  async start(): Promise<void> {
    this.t0 = performance.now();
    this.proc0 = await Promise.all(Object.values(this.groups).map((pids) => this.sum(pids)));
    this.m0 = await machineJiffies();
  }
  /** Cores used by each group (1.0 = one core fully busy), and the machine's busy share of all cores. */
  async stop(): Promise<{ cores: Record<string, number>; machineBusy: number; otherCores: number }> {
    const secs = (performance.now() - this.t0) / 1000;
    const now = await Promise.all(Object.values(this.groups).map((pids) => this.sum(pids)));
    const m1 = await machineJiffies();
    const cores: Record<string, number> = {};
    Object.keys(this.groups).forEach((name, i) => (cores[name] = (now[i]! - this.proc0[i]!) / secs));
    const machineBusy = (m1.busy - this.m0.busy) / (m1.total - this.m0.total);
    // Everything else that ran meanwhile (other programs on the machine, kernel work not charged to a process).
    const otherCores = Math.max(0, machineBusy * cpus().length - Object.values(cores).reduce((a, b) => a + b, 0));
    return { cores, machineBusy, otherCores };
  }
  private async sum(pids: number[]): Promise<number> {
    return (await Promise.all(pids.map(procCpuSeconds))).reduce((a, b) => a + b, 0);
  }
}
