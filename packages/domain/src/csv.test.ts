import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './csv.ts';
import type { Checked } from './result.ts';

type Parsed = { header: string[]; rows: { line: number; cells: string[] }[] };

function value<T>(r: Checked<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}
function errs(r: Checked<unknown>): [string, string][] {
  if (r.ok) assert.fail(`expected a failure, got ${JSON.stringify(r.value)}`);
  for (const e of r.errors) assert.ok(e.message.length > 0);
  return r.errors.map((e) => [e.field, e.reason]);
}
/** Rows as [line, ...cells] for compact tables. */
const rows = (p: Parsed): (number | string)[][] => p.rows.map((r) => [r.line, ...r.cells]);

describe('parseCsv: accepted files', () => {
  const table: [string, string, string[], (number | string)[][]][] = [
    ['header only', 'a,b', ['a', 'b'], []],
    ['header only, trailing newline', 'a,b\n', ['a', 'b'], []],
    ['simple LF', 'a,b\n1,2\n3,4', ['a', 'b'], [[2, '1', '2'], [3, '3', '4']]],
    ['trailing LF', 'a,b\n1,2\n', ['a', 'b'], [[2, '1', '2']]],
    ['CRLF', 'a,b\r\n1,2\r\n3,4\r\n', ['a', 'b'], [[2, '1', '2'], [3, '3', '4']]],
    ['bare CR (old Mac)', 'a,b\r1,2\r3,4', ['a', 'b'], [[2, '1', '2'], [3, '3', '4']]],
    ['mixed line ends', 'a,b\r\n1,2\n3,4\r5,6', ['a', 'b'], [[2, '1', '2'], [3, '3', '4'], [4, '5', '6']]],
    ['BOM is dropped', '\uFEFFid,name\r\n1,x\r\n', ['id', 'name'], [[2, '1', 'x']]],
    ['a BOM later in the text is data', 'a\n\uFEFFx', ['a'], [[2, '\uFEFFx']]],
    ['quoted comma', 'a,b\n"x,y",z', ['a', 'b'], [[2, 'x,y', 'z']]],
    ['doubled quotes', 'a,b\n"He said ""hi""",z', ['a', 'b'], [[2, 'He said "hi"', 'z']]],
    ['only a doubled quote', 'a\n""""', ['a'], [[2, '"']]],
    ['empty quoted cell', 'a,b\n"",z', ['a', 'b'], [[2, '', 'z']]],
    ['empty quoted last cell without newline', 'a,b\nx,""', ['a', 'b'], [[2, 'x', '']]],
    ['a line of one empty quoted cell is a record', 'a\n""\n', ['a'], [[2, '']]],
    ['quoted LF inside a cell', 'a,b\n"line1\nline2",z\n3,4', ['a', 'b'], [[2, 'line1\nline2', 'z'], [4, '3', '4']]],
    ['quoted CRLF inside a cell is kept', 'a,b\r\n"l1\r\nl2",z\r\n3,4\r\n', ['a', 'b'], [[2, 'l1\r\nl2', 'z'], [4, '3', '4']]],
    ['quoted header', '"id","na,me"\n1,2', ['id', 'na,me'], [[2, '1', '2']]],
    ['empty cells', 'a,b,c\n,,\n', ['a', 'b', 'c'], [[2, '', '', '']]],
    ['trailing comma is an empty last cell', 'a,b\n1,\n', ['a', 'b'], [[2, '1', '']]],
    ['blank lines are skipped, line numbers kept', 'a,b\n\n1,2\n\n\n3,4\n\n', ['a', 'b'], [[3, '1', '2'], [6, '3', '4']]],
    ['blank CRLF lines', 'a,b\r\n\r\n1,2\r\n\r\n', ['a', 'b'], [[3, '1', '2']]],
    ['blank lines before the header', '\n\na,b\n1,2', ['a', 'b'], [[4, '1', '2']]],
    ['header cells are trimmed, data cells are not', ' a , b\t\n 1 , 2 ', ['a', 'b'], [[2, ' 1 ', ' 2 ']]],
    ['a whitespace-only line is a record', 'a,b\n  \n1,2', ['a', 'b'], [[2, '  '], [3, '1', '2']]],
    ['ragged rows are kept as they are', 'a,b\n1\n1,2,3', ['a', 'b'], [[2, '1'], [3, '1', '2', '3']]],
    ['Vietnamese text', 'tên,đơn vị\nTrạm Cẩm Lệ,Đà Nẵng', ['tên', 'đơn vị'], [[2, 'Trạm Cẩm Lệ', 'Đà Nẵng']]],
    ['formula and injection strings are plain data', 'a,b\n"=HYPERLINK(""x"")",\'; DROP TABLE x;--', ['a', 'b'], [[2, '=HYPERLINK("x")', "'; DROP TABLE x;--"]]],
    ['single quotes are not quotes', "a,b\n'x,y'", ['a', 'b'], [[2, "'x", "y'"]]],
    ['a single column file', 'a', ['a'], []],
  ];
  for (const [label, text, header, expected] of table) {
    it(label, () => {
      const p = value(parseCsv(text));
      assert.deepEqual(p.header, header);
      assert.deepEqual(rows(p), expected);
    });
  }
});

describe('parseCsv: refused files', () => {
  const table: [string, string, [string, string][]][] = [
    ['empty text', '', [['', 'empty']]],
    ['only a BOM', '\uFEFF', [['', 'empty']]],
    ['only blank lines', '\n\r\n\r\n', [['', 'empty']]],
    ['unterminated quote in the header', '"id,name\n1,2', [['line 1', 'bad_format']]],
    ['unterminated quote reports the line the record starts on', 'a,b\n1,2\n"open,1\n2,3\n4,5', [['line 3', 'bad_format']]],
    ['unterminated quote at the very end', 'a,b\n1,"', [['line 2', 'bad_format']]],
    ['a quote inside an unquoted cell', 'a,b\n1,x"y"', [['line 2', 'bad_format']]],
    ['a quote after spaces', 'a,b\n1, "x"', [['line 2', 'bad_format']]],
    ['text after a closing quote', 'a,b\n"x"y,1', [['line 2', 'bad_format']]],
    ['a space after a closing quote', 'a,b\n"x" ,1', [['line 2', 'bad_format']]],
    ['the line of an error after a multi-line cell', 'a\n"x\ny\nz"\nbad"q', [['line 5', 'bad_format']]],
    ['an error after CRLF lines', 'a\r\n1\r\n2\r\nx"', [['line 4', 'bad_format']]],
  ];
  for (const [label, text, expected] of table) it(label, () => assert.deepEqual(errs(parseCsv(text)), expected));
});

describe('parseCsv: size', () => {
  it('parses 50 000 rows and a 1 MB cell', () => {
    const big = 'x'.repeat(1_000_000);
    const text = `a,b\n${Array.from({ length: 50_000 }, (_, i) => `${i},"v""${i}"`).join('\r\n')}\n"${big}",1\n`;
    const p = value(parseCsv(text));
    assert.equal(p.rows.length, 50_001);
    assert.deepEqual(p.rows[49_999], { line: 50_001, cells: ['49999', 'v"49999'] });
    assert.equal(p.rows[50_000]!.cells[0]!.length, 1_000_000);
  });
  it('a huge unterminated quote fails instead of hanging', () => {
    assert.deepEqual(errs(parseCsv(`a\n"${'x\n'.repeat(200_000)}`)), [['line 2', 'bad_format']]);
  });
});
