import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_CSV_COLUMNS, csvToDeviceRows, jsonToDeviceRows, type ImportRow } from './device-import.ts';
import { validateDevice } from './device.ts';
import type { Checked } from './result.ts';

function value<T>(r: Checked<T>): T {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.value;
}
function errs(r: Checked<unknown>): [string, string, number?][] {
  if (r.ok) assert.fail(`expected a failure, got ${JSON.stringify(r.value)}`);
  for (const e of r.errors) assert.ok(e.message.length > 0);
  return r.errors.map((e) => (e.row === undefined ? [e.field, e.reason] : [e.field, e.reason, e.row]));
}
function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'devices', 'isAdmin']) assert.equal(probe[k], undefined, `Object.prototype.${k} polluted`);
}

const HEADER = DEVICE_CSV_COLUMNS.join(',');
const REQUIRED_HEADER = 'id,type,name,lat,lon,unitCode,apikey';
const csv = (...lines: string[]): string => lines.join('\n');

describe('csvToDeviceRows: header', () => {
  it('DEVICE_CSV_COLUMNS is the documented list', () => {
    assert.deepEqual([...DEVICE_CSV_COLUMNS], ['id', 'type', 'name', 'lat', 'lon', 'unitCode', 'sector', 'apikey', 'accessToken', 'attributes']);
  });

  const table: [string, string, [string, string][]][] = [
    ['no id column', 'type,name,lat,lon,unitCode,apikey', [['id', 'missing_column']]],
    ['no lat nor lon', 'id,type,name,unitCode,apikey', [['lat', 'missing_column'], ['lon', 'missing_column']]],
    ['only optional columns', 'sector,accessToken,attributes', [['id', 'missing_column'], ['type', 'missing_column'], ['name', 'missing_column'], ['lat', 'missing_column'], ['lon', 'missing_column'], ['unitCode', 'missing_column'], ['apikey', 'missing_column']]],
    ['an unknown column', `${REQUIRED_HEADER},status`, [['status', 'unknown_column']]],
    ['column names are case-sensitive', 'ID,type,name,lat,lon,unitCode,apikey', [['id', 'missing_column'], ['ID', 'unknown_column']]],
    ['Vietnamese column names are unknown', `${REQUIRED_HEADER},vĩ độ`, [['vĩ độ', 'unknown_column']]],
    ['a trailing comma makes an empty column name', `${REQUIRED_HEADER},`, [['', 'unknown_column']]],
    ['prototype names are unknown columns', `${REQUIRED_HEADER},__proto__,constructor`, [['__proto__', 'unknown_column'], ['constructor', 'unknown_column']]],
    ['missing and unknown reported together', 'id,type,name,latitude,lon,unitCode,apikey', [['lat', 'missing_column'], ['latitude', 'unknown_column']]],
  ];
  for (const [label, header, expected] of table) {
    it(label, () => {
      assert.deepEqual(errs(csvToDeviceRows(csv(header, 'a,b,c'))), expected);
      assertPrototypeClean();
    });
  }

  it('header cells are trimmed and may come in any order', () => {
    const [r] = value(csvToDeviceRows(csv(' apikey , lon,lat,unitCode,name,type,id', 'k,108.2,16.05,490,N,air_quality,d1')));
    assert.deepEqual(r!.input, { id: 'd1', type: 'air_quality', name: 'N', location: { lat: 16.05, lon: 108.2 }, unitCode: '490', apikey: 'k' });
  });

  it('a header without rows imports nothing', () => {
    assert.deepEqual(value(csvToDeviceRows(HEADER)), []);
    assert.deepEqual(value(csvToDeviceRows(`${HEADER}\r\n\r\n`)), []);
  });

  it('an empty file is empty', () => {
    assert.deepEqual(errs(csvToDeviceRows('')), [['', 'empty']]);
    assert.deepEqual(errs(csvToDeviceRows('\uFEFF\r\n')), [['', 'empty']]);
  });

  it('CSV syntax errors are passed through with their line', () => {
    assert.deepEqual(errs(csvToDeviceRows(csv(HEADER, 'd1,air_quality,"unterminated,16,108,490,,k,,'))), [['line 2', 'bad_format']]);
    assert.deepEqual(errs(csvToDeviceRows(csv(HEADER, 'd1,air_quality,Tr"am,16,108,490,,k,,'))), [['line 2', 'bad_format']]);
  });
});

describe('csvToDeviceRows: rows', () => {
  it('maps every column, trimming cells and converting lat/lon to numbers', () => {
    const text = csv(
      HEADER,
      ' dn-aq-001 , air_quality ,  Trạm Hải Châu , 16.0544 ,108.2022, 490 , environment , danang-env , tok12345678 , pm25:µg/m³:0:1000:60|pm10:µg/m³:0:2000:60 ',
    );
    assert.deepEqual(value(csvToDeviceRows(text)), [
      {
        row: 1,
        input: {
          id: 'dn-aq-001',
          type: 'air_quality',
          name: 'Trạm Hải Châu',
          location: { lat: 16.0544, lon: 108.2022 },
          unitCode: '490',
          sector: 'environment',
          apikey: 'danang-env',
          accessToken: 'tok12345678',
          attributes: [
            { name: 'pm25', unit: 'µg/m³', min: 0, max: 1000, periodS: 60 },
            { name: 'pm10', unit: 'µg/m³', min: 0, max: 2000, periodS: 60 },
          ],
        },
      },
    ]);
  });

  it('empty sector, accessToken and attributes are left out (type defaults apply)', () => {
    const [r] = value(csvToDeviceRows(csv(HEADER, 'd1,air_quality,N,16,108,490,,k,,')));
    assert.deepEqual(Object.keys(r!.input as object).sort(), ['apikey', 'id', 'location', 'name', 'type', 'unitCode']);
    assert.equal(validateDevice(r!.input).ok, true);
  });

  it('row numbers are 1-based, exclude the header and skip blank lines', () => {
    const out = value(csvToDeviceRows(csv(REQUIRED_HEADER, 'd1,t,N,1,2,u,k', '', 'd2,t,N,1,2,u,k', '', '', 'd3,t,N,1,2,u,k')));
    assert.deepEqual(
      out.map((r: ImportRow) => [r.row, (r.input as { id: string }).id]),
      [[1, 'd1'], [2, 'd2'], [3, 'd3']],
    );
  });

  it('ragged rows are reported with their row number, and the line in the message', () => {
    const r = csvToDeviceRows(csv(REQUIRED_HEADER, 'd1,t,N,1,2,u,k', 'd2,t,N,1,2,u', '', 'd3,t,N,1,2,u,k', 'd4,t,N,1,2,u,k,extra'));
    assert.deepEqual(errs(r), [['', 'bad_format', 2], ['', 'bad_format', 4]]);
    assert.ok(!r.ok);
    assert.match(r.errors[0]!.message, /line 3 has 6 cells, the header 7/);
    assert.match(r.errors[1]!.message, /line 6 has 8 cells, the header 7/);
  });

  it('a multi-line quoted name keeps the following row numbers and lines right', () => {
    const r = csvToDeviceRows(csv(REQUIRED_HEADER, 'd1,t,"Trạm\nHải Châu",1,2,u,k', 'd2,t,N,1,2,u'));
    assert.deepEqual(errs(r), [['', 'bad_format', 2]]);
    assert.ok(!r.ok);
    assert.match(r.errors[0]!.message, /^line 4 /);
  });

  it('quoted cells may hold commas and quotes', () => {
    const [r] = value(csvToDeviceRows(csv(REQUIRED_HEADER, 'd1,t,"Trạm ""Cầu Rồng"", Đà Nẵng",1,2,u,k')));
    assert.equal((r!.input as { name: string }).name, 'Trạm "Cầu Rồng", Đà Nẵng');
  });

  it('an Excel file (BOM, CRLF, trailing CRLF) imports', () => {
    const text = `\uFEFF${REQUIRED_HEADER}\r\nd1,air_quality,Trạm,16,108,490,k\r\n`;
    const [r] = value(csvToDeviceRows(text));
    assert.equal(validateDevice(r!.input).ok, true);
  });

  describe('lat / lon cells', () => {
    const table: [string, number | undefined][] = [
      ['16.0544', 16.0544],
      [' 16.0544 ', 16.0544],
      ['-0', -0],
      ['1e1', 10],
      ['', undefined],
      ['   ', undefined],
    ];
    for (const [cell, expected] of table) {
      it(`${JSON.stringify(cell)} → ${String(expected)}`, () => {
        const [r] = value(csvToDeviceRows(csv(REQUIRED_HEADER, `d1,t,N,"${cell}",108,u,k`)));
        assert.deepEqual((r!.input as { location: unknown }).location, { lat: expected, lon: 108 });
      });
    }
    for (const cell of ['abc', '16,05', '16.05.1', 'NaN']) {
      it(`${JSON.stringify(cell)} → NaN, refused by validateDevice`, () => {
        const [r] = value(csvToDeviceRows(csv(REQUIRED_HEADER, `d1,air_quality,N,"${cell}",108,u,k`)));
        assert.ok(Number.isNaN((r!.input as { location: { lat: number } }).location.lat));
        const v = validateDevice(r!.input);
        assert.ok(!v.ok);
        assert.deepEqual(v.errors.map((e) => [e.field, e.reason]), [['location/lat', 'out_of_range']]);
      });
    }
    it('empty lat/lon are refused by validateDevice', () => {
      const [r] = value(csvToDeviceRows(csv(REQUIRED_HEADER, 'd1,air_quality,N,,,u,k')));
      const v = validateDevice(r!.input);
      assert.ok(!v.ok);
      assert.deepEqual(v.errors.map((e) => [e.field, e.reason]), [['location/lat', 'out_of_range'], ['location/lon', 'out_of_range']]);
    });
  });

  describe('attributes cell', () => {
    const attrs = (cell: string): unknown => {
      const [r] = value(csvToDeviceRows(csv(`${REQUIRED_HEADER},attributes`, `d1,noise,N,1,2,u,k,"${cell}"`)));
      return (r!.input as { attributes: unknown }).attributes;
    };
    const table: [string, unknown][] = [
      ['laeq:dB:0:140:60', [{ name: 'laeq', unit: 'dB', min: 0, max: 140, periodS: 60 }]],
      ['a:u:-5.5:2e3:1|b::0:1:604800', [{ name: 'a', unit: 'u', min: -5.5, max: 2000, periodS: 1 }, { name: 'b', unit: '', min: 0, max: 1, periodS: 604800 }]],
      ['laeq:dB', [{ name: 'laeq', unit: 'dB', min: undefined, max: undefined, periodS: undefined }]],
      ['laeq:dB: :x:', [{ name: 'laeq', unit: 'dB', min: undefined, max: NaN, periodS: undefined }]],
      ['a:u:0:1:60:extra', [{ name: 'a:u:0:1:60:extra' }]],
      ['a:u:0:1:60|', [{ name: 'a', unit: 'u', min: 0, max: 1, periodS: 60 }, { name: '', unit: undefined, min: undefined, max: undefined, periodS: undefined }]],
    ];
    for (const [cell, expected] of table) it(JSON.stringify(cell), () => assert.deepEqual(attrs(cell), expected));

    it('bad attribute entries surface as validateDevice errors with their index', () => {
      const [r] = value(csvToDeviceRows(csv(`${REQUIRED_HEADER},sector,attributes`, 'd1,noise,N,1,2,u,k,environment,"laeq:dB:0:140:60|x:y:1:0:60|a:u:0:1:60:extra"')));
      const v = validateDevice(r!.input);
      assert.ok(!v.ok);
      assert.deepEqual(v.errors.map((e) => [e.field, e.reason]), [
        ['attributes/1/max', 'out_of_range'],
        ['attributes/2/name', 'bad_format'],
        ['attributes/2/unit', 'wrong_type'],
        ['attributes/2/min', 'wrong_type'],
        ['attributes/2/max', 'wrong_type'],
        ['attributes/2/periodS', 'out_of_range'],
      ]);
    });
  });

  it('names are plain text; hostile ids are refused later by validateDevice', () => {
    const out = value(
      csvToDeviceRows(csv(REQUIRED_HEADER, 'd1,air_quality,<script>alert(1)</script>,16,108,490,k', `"x'; DROP TABLE devices;--",air_quality,"Robert'); DROP TABLE devices;--",16,108,490,k`)),
    );
    const [a, b] = out.map((r) => validateDevice(r.input));
    assert.ok(a && b);
    assert.ok(a.ok);
    assert.equal(a.value.name, '<script>alert(1)</script>');
    assert.ok(!b.ok);
    assert.deepEqual(b.errors.map((e) => [e.field, e.reason]), [['id', 'bad_format']]);
  });

  it('a large file (5 000 rows) imports, every row valid', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `dn-${i},rain_gauge,Trạm ${i},16.${i},108.1,490,k`);
    const out = value(csvToDeviceRows(csv(REQUIRED_HEADER, ...lines)));
    assert.equal(out.length, 5000);
    assert.equal(out[4999]!.row, 5000);
    assert.ok(out.every((r) => validateDevice(r.input).ok));
  });
});

describe('jsonToDeviceRows', () => {
  const d = { id: 'd1' };
  const ok: [string, unknown, ImportRow[]][] = [
    ['an array', [d, { id: 'd2' }], [{ row: 1, input: d }, { row: 2, input: { id: 'd2' } }]],
    ['{devices: [...]}', { devices: [d] }, [{ row: 1, input: d }]],
    ['{devices: [...]} with other keys', { devices: [d], version: 2 }, [{ row: 1, input: d }]],
    ['an empty array', [], []],
    ['{devices: []}', { devices: [] }, []],
    ['items are not checked here', [null, 5, 'x', []], [{ row: 1, input: null }, { row: 2, input: 5 }, { row: 3, input: 'x' }, { row: 4, input: [] }]],
  ];
  for (const [label, body, expected] of ok) it(label, () => assert.deepEqual(value(jsonToDeviceRows(body)), expected));

  const bad: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 1],
    ['a string', '[{"id":"d1"}]'],
    ['a single device object', d],
    ['{}', {}],
    ['{devices: null}', { devices: null }],
    ['{devices: {}}', { devices: { 0: d } }],
    ['{devices: "x"}', { devices: 'x' }],
    ['{Devices: [...]}', { Devices: [d] }],
  ];
  for (const [label, body] of bad) it(`${label} → wrong_type`, () => assert.deepEqual(errs(jsonToDeviceRows(body)), [['', 'wrong_type']]));

  it('"devices" under a JSON "__proto__" key is not found, and nothing is polluted', () => {
    const body = JSON.parse('{"__proto__": {"devices": [{"id": "evil"}], "polluted": 1}}') as unknown;
    assert.deepEqual(errs(jsonToDeviceRows(body)), [['', 'wrong_type']]);
    assertPrototypeClean();
  });
});
