import type { Checked } from './result.ts';
import { fail, fieldError, ok } from './result.ts';

/**
 * Parses CSV text per RFC 4180 (quoted fields, doubled quotes, CRLF or LF line ends, a header
 * row). Returns the header and the records; a record's line number is kept for error reports.
 */
export function parseCsv(text: string): Checked<{ header: string[]; rows: { line: number; cells: string[] }[] }> {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // Excel writes a BOM
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let quotedCell = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"') {
      if (cell !== '') return fail([fieldError(`line ${line}`, 'bad_format', 'a quote may only open a field')]);
      inQuotes = true;
      quotedCell = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      quotedCell = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      if (!(cells.length === 1 && cells[0] === '' && !quotedCell)) records.push({ line: recordLine, cells });
      cells = [];
      cell = '';
      quotedCell = false;
      line++;
      recordLine = line;
    } else {
      if (quotedCell) return fail([fieldError(`line ${line}`, 'bad_format', 'text after a closing quote')]);
      cell += c;
    }
  }
  if (inQuotes) return fail([fieldError(`line ${recordLine}`, 'bad_format', 'unterminated quoted field')]);
  if (cell !== '' || cells.length > 0 || quotedCell) {
    cells.push(cell);
    records.push({ line: recordLine, cells });
  }
  const [head, ...rows] = records;
  if (!head) return fail([fieldError('', 'empty', 'the file has no header row')]);
  return ok({ header: head.cells.map((h) => h.trim()), rows });
}
