import type { AttributeSpec } from './device.ts';
import type { FieldError } from './errors.ts';
import { parseCsv } from './csv.ts';
import { type Checked, fail, fieldError, ok } from './result.ts';

/** Columns of the device CSV import; `sector`, `accessToken` and `attributes` may be empty. */
export const DEVICE_CSV_COLUMNS = ['id', 'type', 'name', 'lat', 'lon', 'unitCode', 'sector', 'apikey', 'accessToken', 'attributes'] as const;
const REQUIRED = ['id', 'type', 'name', 'lat', 'lon', 'unitCode', 'apikey'];

/** A row of an import, still unchecked, with its 1-based row number (header excluded). */
export interface ImportRow {
  row: number;
  input: unknown;
}

/**
 * `attributes` cell: `name:unit:min:max:periodS` entries separated by `|`, e.g.
 * `pm25:µg/m³:0:1000:60|pm10:µg/m³:0:2000:60`. Empty = the type's defaults.
 */
function parseAttributeCell(cell: string): unknown {
  return cell.split('|').map((part) => {
    const [name, unit, min, max, periodS, ...rest] = part.split(':');
    const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? undefined : Number(s));
    return rest.length ? { name: part } : { name, unit, min: num(min), max: num(max), periodS: num(periodS) };
  });
}

/** Splits a CSV device file into unchecked device inputs, or reports what makes the file unusable. */
export function csvToDeviceRows(text: string): Checked<ImportRow[]> {
  const parsed = parseCsv(text);
  if (!parsed.ok) return parsed;
  const { header, rows } = parsed.value;
  const errors: FieldError[] = [];
  for (const col of REQUIRED) {
    if (!header.includes(col)) errors.push(fieldError(col, 'missing_column', `the header has no column ${col}`));
  }
  for (const col of header) {
    if (!(DEVICE_CSV_COLUMNS as readonly string[]).includes(col)) {
      errors.push(fieldError(col, 'unknown_column', `unknown column ${col}; expected ${DEVICE_CSV_COLUMNS.join(',')}`));
    }
  }
  if (errors.length) return fail(errors);
  const out: ImportRow[] = [];
  rows.forEach(({ cells, line }, i) => {
    const row = i + 1;
    if (cells.length !== header.length) {
      errors.push({ ...fieldError('', 'bad_format', `line ${line} has ${cells.length} cells, the header ${header.length}`), row });
      return;
    }
    const get = (col: string) => {
      const idx = header.indexOf(col);
      return idx < 0 ? '' : cells[idx]!.trim();
    };
    const num = (s: string) => (s === '' ? undefined : Number(s));
    const input: Record<string, unknown> = {
      id: get('id'),
      type: get('type'),
      name: get('name'),
      location: { lat: num(get('lat')), lon: num(get('lon')) },
      unitCode: get('unitCode'),
      apikey: get('apikey'),
    };
    if (get('sector')) input.sector = get('sector');
    if (get('accessToken')) input.accessToken = get('accessToken');
    if (get('attributes')) input.attributes = parseAttributeCell(get('attributes')) as AttributeSpec[];
    out.push({ row, input });
  });
  return errors.length ? fail(errors) : ok(out);
}

/** A JSON device file: an array of devices, or `{"devices": [...]}`. */
export function jsonToDeviceRows(body: unknown): Checked<ImportRow[]> {
  const list =
    Array.isArray(body) ? body
    : typeof body === 'object' && body !== null && Array.isArray((body as { devices?: unknown }).devices) ? (body as { devices: unknown[] }).devices
    : undefined;
  if (!list) return fail([fieldError('', 'wrong_type', 'expected an array of devices or {"devices": [...]}')]);
  return ok(list.map((input, i) => ({ row: i + 1, input })));
}
