import { PASSWORD_MIN } from '@haidang/domain';
import { ApiError } from '../api/client.ts';
import { type MessageKey, messages } from '../i18n/messages.ts';

/** One problem of a form, by field as the API names it (`username`, `assignments/1/unitCode`). */
export interface Problem {
  field: string;
  reason: string;
  /** The server's or the domain's explanation (English), shown when the console has no text of its own. */
  message?: string;
}

/** What a failed call says: its message and its field problems. */
export function problemsOf(e: unknown): { message: string; fields: Problem[] } {
  if (e instanceof ApiError) return { message: e.message, fields: e.errors.map((x) => ({ field: x.field, reason: x.reason, message: x.message })) };
  return { message: e instanceof Error ? e.message : String(e), fields: [] };
}

/** The problems of one field, exactly. */
export const problemsAt = (list: readonly Problem[], field: string): Problem[] => list.filter((p) => p.field === field);

/** The console's own text for a reason (`problem.<reason>` in messages.ts), if it has one. */
export function problemKey(reason: string): MessageKey | undefined {
  const key = `problem.${reason}`;
  return key in messages ? (key as MessageKey) : undefined;
}

/** The label of a field for the summary: the form's label, else the label of its last named segment, else the path. */
export function fieldLabel(field: string, labels: Readonly<Record<string, string>>): string {
  if (labels[field]) return labels[field];
  const named = field.split('/').filter((s) => !/^\d+$/.test(s));
  const last = named.at(-1);
  const row = /\/(\d+)(\/|$)/.exec(field)?.[1];
  const base = (last && labels[last]) || field;
  return row !== undefined && base !== field ? `${base} #${Number(row) + 1}` : base;
}

/** The text of a problem: the console's own when it has one, else the server's explanation. */
export function problemText(p: Problem, t: (key: MessageKey, vars?: Record<string, string | number>) => string): string {
  const key = problemKey(p.reason);
  return key ? t(key, { min: PASSWORD_MIN }) : (p.message ?? p.reason);
}
