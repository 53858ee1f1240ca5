/**
 * The benchmark dispatcher: `npm run bench -- <name> [--option value …]`. Argument parsing is
 * separate from running so that it can be tested.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'number' | 'string' | 'boolean' | 'list';
  default: number | string | boolean;
  help: string;
  /** For lists: the allowed items. */
  choices?: readonly string[];
}
export type OptionSpecs = Record<string, OptionSpec>;

/** The parsed values of a set of option specs. */
export type Options<S extends OptionSpecs> = {
  [K in keyof S]: S[K]['type'] extends 'number' ? number : S[K]['type'] extends 'boolean' ? boolean : S[K]['type'] extends 'list' ? string[] : string;
};

export interface BenchDef {
  summary: string;
  options: OptionSpecs;
  /** Loaded only when the bench runs. */
  run(options: Record<string, unknown>): Promise<unknown>;
}

export class UsageError extends Error {}

export type Parsed =
  | { kind: 'help'; name?: string }
  | { kind: 'run'; name: string; options: Record<string, number | string | boolean | string[]> };

/** Parses `<name> [--opt value | --opt=value | --flag]…` against the benches' option specs. */
export function parseBenchArgs(argv: string[], benches: Record<string, { options: OptionSpecs }>): Parsed {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return { kind: 'help' };
  const bench = benches[name];
  if (!bench) throw new UsageError(`unknown benchmark "${name}"`);
  if (rest.includes('--help') || rest.includes('-h')) return { kind: 'help', name };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: Object.fromEntries(Object.entries(bench.options).map(([k, s]) => [k, { type: s.type === 'boolean' ? 'boolean' : 'string' }])),
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const options: Record<string, number | string | boolean | string[]> = {};
  for (const [k, spec] of Object.entries(bench.options)) {
    const raw = values[k] ?? spec.default;
    if (spec.type === 'number') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${k}: "${String(raw)}" is not a non-negative number`);
      options[k] = n;
    } else if (spec.type === 'list') {
      const items = String(raw).split(',').map((x) => x.trim()).filter(Boolean);
      const bad = items.filter((x) => spec.choices && !spec.choices.includes(x));
      if (bad.length || items.length === 0) throw new UsageError(`--${k}: expected a comma-separated list of ${spec.choices?.join(', ')}`);
      options[k] = items;
    } else options[k] = raw as string | boolean;
  }
  return { kind: 'run', name, options };
}

/** Usage text: every benchmark, or one benchmark's options with their defaults. */
export function usage(benches: Record<string, BenchDef>, name?: string): string {
  if (name && benches[name]) {
    const b = benches[name];
    const rows = Object.entries(b.options).map(([k, s]) => {
      const arg = `--${k}${s.type === 'boolean' ? '' : ` <${s.type === 'list' ? 'a,b' : s.type}>`}`;
      return `  ${arg.padEnd(26)} ${s.help}${s.type === 'boolean' ? '' : ` (default: ${String(s.default) || '""'})`}`;
    });
    return [`Usage: npm run bench -- ${name} [options]`, '', b.summary, '', 'Options:', ...rows, ''].join('\n');
  }
  return [
    'Usage: npm run bench -- <name> [options]     (npm run bench -- <name> --help for its options)',
    '',
    'Benchmarks:',
    ...Object.entries(benches).map(([n, b]) => `  ${n.padEnd(10)} ${b.summary}`),
    '',
    'Results are printed as a table and written as JSON to bench/results/ (git-ignored).',
    '',
  ].join('\n');
}

/** Runs the dispatcher; returns the exit code. */
export async function main(argv: string[], benches: Record<string, BenchDef>, out: { write(s: string): unknown } = process.stdout, err: { write(s: string): unknown } = process.stderr): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseBenchArgs(argv, benches);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err.write(`bench: ${e.message}\n\n${usage(benches)}`);
    return 1;
  }
  if (parsed.kind === 'help') {
    out.write(usage(benches, parsed.name));
    return 0;
  }
  await benches[parsed.name]!.run(parsed.options);
  return 0;
}
