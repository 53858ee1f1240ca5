import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateWarningThresholds, type WarningThresholds } from '@haidang/domain';
import { StartupError } from '../services/startup-error.ts';

/** The shipped thresholds (packages/server/presets/warning-thresholds.json; see the presets' README). */
export const SHIPPED_WARNING_THRESHOLDS = fileURLToPath(new URL('../../presets/warning-thresholds.json', import.meta.url));

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Reads and validates a warning-thresholds file (synchronously: configuration is checked before
 * anything starts). A problem is a StartupError naming `variable`, on one line, with the first
 * field errors.
 */
export function loadWarningThresholds(path: string, variable = 'IOC_WARNING_THRESHOLDS'): WarningThresholds {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new StartupError(variable, `cannot read ${path}: ${oneLine((e as Error).message)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new StartupError(variable, `${path} is not valid JSON: ${oneLine((e as Error).message)}`);
  }
  const v = validateWarningThresholds(parsed);
  if (!v.ok) {
    const shown = v.errors.slice(0, 3).map((e) => `${e.field || '(top)'} ${e.reason}: ${oneLine(e.message)}`);
    const more = v.errors.length > 3 ? `; and ${v.errors.length - 3} more` : '';
    throw new StartupError(variable, `${path} is not valid warning thresholds: ${shown.join('; ')}${more}`);
  }
  return v.value;
}

let shipped: WarningThresholds | undefined;

/** The shipped thresholds, read once (tests and wiring without a configuration). */
export function shippedWarningThresholds(): WarningThresholds {
  shipped ??= loadWarningThresholds(SHIPPED_WARNING_THRESHOLDS);
  return shipped;
}
