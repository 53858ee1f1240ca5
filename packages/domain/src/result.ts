import type { FieldError } from './errors.ts';

/** A value or the field errors that prevent it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
export const fail = <T = never>(errors: FieldError[]): Checked<T> => ({ ok: false, errors });
export const fieldError = (field: string, reason: string, message: string): FieldError => ({
  field,
  reason,
  message,
});
