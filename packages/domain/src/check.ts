import type { FieldError } from './errors.ts';
import { fieldError } from './result.ts';
import type { Bilingual } from './text.ts';

/**
 * The small checks every validator of untrusted input is built from. Each reports its problem
 * as a FieldError with a JSON-pointer-like path (`units/3/name/vi`) and returns undefined.
 */

/** Ids and keys appear as MQTT topic levels: no '/', '+', '#', spaces or control characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The path of `key` below `at` ('' = the top). */
export const fieldPath = (at: string, key: string | number): string => (at === '' ? String(key) : `${at}/${key}`);

/** A required (unless `optional`), non-blank string of at most `max` characters, matching `pattern`. */
export function checkText(
  errors: FieldError[],
  obj: Record<string, unknown>,
  at: string,
  key: string,
  opts: { max?: number; pattern?: RegExp; optional?: boolean } = {},
): string | undefined {
  const field = fieldPath(at, key);
  const v = obj[key];
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
    if (!opts.optional) errors.push(fieldError(field, 'required', `${field} is required`));
    return undefined;
  }
  if (typeof v !== 'string') {
    errors.push(fieldError(field, 'wrong_type', `${field} must be a string`));
    return undefined;
  }
  if (opts.max !== undefined && v.length > opts.max) {
    errors.push(fieldError(field, 'too_long', `${field} must be at most ${opts.max} characters`));
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(v)) {
    errors.push(fieldError(field, 'bad_format', `${field} must match ${opts.pattern.source}`));
    return undefined;
  }
  return v;
}

/** Every key of `obj` outside `allowed` is an `unknown_field`. */
export function checkKnownKeys(errors: FieldError[], obj: Record<string, unknown>, at: string, allowed: ReadonlySet<string>): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) errors.push(fieldError(fieldPath(at, k), 'unknown_field', `unknown field ${k}`));
}

const BILINGUAL_KEYS = new Set(['vi', 'en']);

/** A required `{vi, en}` pair of names of at most `max` characters each. */
export function checkBilingual(errors: FieldError[], obj: Record<string, unknown>, at: string, key: string, max: number): Bilingual | undefined {
  const field = fieldPath(at, key);
  const v = obj[key];
  if (!isObject(v)) {
    errors.push(
      v === undefined || v === null
        ? fieldError(field, 'required', `${field} {vi, en} is required`)
        : fieldError(field, 'wrong_type', `${field} must be an object {vi, en}`),
    );
    return undefined;
  }
  const vi = checkText(errors, v, field, 'vi', { max });
  const en = checkText(errors, v, field, 'en', { max });
  checkKnownKeys(errors, v, field, BILINGUAL_KEYS);
  return vi !== undefined && en !== undefined ? { vi, en } : undefined;
}
