import type { AttributeSpec } from '@haidang/domain';

// Real fleets misbehave: a sensor goes quiet for a while, firmware sends a broken message. The
// simulator does both on purpose so the IOC's silence detection and rejection metrics have work.

/** The kinds of bad message sent, named after the IOC's reject reasons they should cause. */
export const BAD_KINDS = ['malformed_json', 'out_of_range', 'unknown_attribute', 'wrong_type'] as const;
export type BadKind = (typeof BAD_KINDS)[number];

/** Default share of messages sent bad. */
export const DEFAULT_BAD_MESSAGE_RATE = 0.005;
/** Default chance, per report, that a device falls silent for a while. */
export const DEFAULT_DROPOUT_RATE = 0.001;

/** One of the bad kinds, uniformly. */
export function pickBadKind(random: () => number): BadKind {
  return BAD_KINDS[Math.min(BAD_KINDS.length - 1, Math.floor(random() * BAD_KINDS.length))]!;
}

/** Attribute names that look plausible but no demo device declares. */
const STRAY_ATTRS = ['battery', 'temperature', 'rssi', 'humidity'];

/**
 * Spoils a good set of values. Returns the values to encode (one of them wrong), or, for
 * `malformed_json`, the JSON text to send cut short.
 */
export function spoilValues(
  kind: BadKind,
  values: Record<string, number>,
  specs: readonly AttributeSpec[],
  random: () => number,
): { values: Record<string, unknown> } | { truncate: true } {
  if (kind === 'malformed_json') return { truncate: true };
  const spoiled: Record<string, unknown> = { ...values };
  const spec = specs[Math.floor(random() * specs.length)];
  if (kind === 'unknown_attribute' || !spec) {
    const stray = STRAY_ATTRS.find((a) => !(a in values)) ?? 'x_unknown';
    spoiled[stray] = Math.round(random() * 1000) / 10;
  } else if (kind === 'out_of_range') {
    const span = spec.max - spec.min;
    spoiled[spec.name] = random() < 0.5 ? spec.max + span + 1 : spec.min - 0.1 * span - 1;
  } else {
    spoiled[spec.name] = String(values[spec.name] ?? 0); // a number sent as a string
  }
  return { values: spoiled };
}

/** Cuts JSON text so that it no longer parses (drops the closing brace and more). */
export function truncateJson(text: string, random: () => number): string {
  const keep = 1 + Math.floor(random() * Math.max(1, text.length - 2));
  return text.slice(0, Math.min(keep, text.length - 1));
}

/** How long (ms) a dropped-out device stays silent: 5 to 30 of its reporting periods. */
export function dropoutDurationMs(periodMs: number, random: () => number): number {
  return periodMs * (5 + 25 * random());
}
