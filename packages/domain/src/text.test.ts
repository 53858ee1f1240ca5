import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foldVietnamese } from './text.ts';

describe('foldVietnamese', () => {
  const table: [string, string][] = [
    ['Đà Nẵng', 'da nang'],
    ['Cẩm Lệ', 'cam le'],
    ['HÒA VANG', 'hoa vang'],
    ['Hòa Vang', 'hoa vang'],
    ['Hải Châu', 'hai chau'],
    ['Thanh Khê', 'thanh khe'],
    ['Sơn Trà', 'son tra'],
    ['Ngũ Hành Sơn', 'ngu hanh son'],
    ['Liên Chiểu', 'lien chieu'],
    ['Hoàng Sa', 'hoang sa'],
    ['Thừa Thiên Huế', 'thua thien hue'],
    ['Thành phố Hồ Chí Minh', 'thanh pho ho chi minh'],
    ['ĐƯỜNG Nguyễn Văn Linh', 'duong nguyen van linh'],
    ['đường', 'duong'],
    ['Quảng Ngãi', 'quang ngai'],
    ['àáảãạăằắẳẵặâầấẩẫậ', 'a'.repeat(17)],
    ['ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ', 'a'.repeat(17)],
    ['èéẻẽẹêềếểễệ', 'e'.repeat(11)],
    ['ìíỉĩị', 'i'.repeat(5)],
    ['òóỏõọôồốổỗộơờớởỡợ', 'o'.repeat(17)],
    ['ùúủũụưừứửữự', 'u'.repeat(11)],
    ['ỳýỷỹỵ', 'y'.repeat(5)],
    ['đĐ', 'dd'],
    ['', ''],
    ['abc 123 -_/', 'abc 123 -_/'],
    ['  Cẩm  Lệ  ', '  cam  le  '],
    ['Trạm PM2.5 #3', 'tram pm2.5 #3'],
    ['<script>Đà</script>', '<script>da</script>'],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => assert.equal(foldVietnamese(input), expected));
  }

  for (const name of ['Đà Nẵng', 'Cẩm Lệ', 'HÒA VANG', 'Ngũ Hành Sơn', 'Thừa Thiên Huế']) {
    it(`composed (NFC) and decomposed (NFD) "${name}" fold alike`, () => {
      const nfc = name.normalize('NFC');
      const nfd = name.normalize('NFD');
      assert.notEqual(nfc, nfd);
      assert.equal(foldVietnamese(nfd), foldVietnamese(nfc));
      assert.equal(foldVietnamese(nfc), foldVietnamese(name.normalize('NFKD')));
    });
  }

  it('a mix of composed and decomposed characters in one string', () => {
    const mixed = `C${'ẩ'.normalize('NFD')}m L${'ệ'.normalize('NFC')}`;
    assert.equal(foldVietnamese(mixed), 'cam le');
  });

  it('"Cẩm Lệ", "cam le" and "CAM LE" fold to the same key', () => {
    assert.equal(new Set(['Cẩm Lệ', 'cam le', 'CAM LE', 'Cam Le', 'cẩm lệ']).size, 5);
    assert.equal(new Set(['Cẩm Lệ', 'cam le', 'CAM LE', 'Cam Le', 'cẩm lệ'].map(foldVietnamese)).size, 1);
  });

  it('is idempotent', () => {
    for (const [input] of table) assert.equal(foldVietnamese(foldVietnamese(input)), foldVietnamese(input));
  });

  it('leaves no combining marks behind', () => {
    for (const [input] of table) assert.doesNotMatch(foldVietnamese(input).normalize('NFD'), /[\u0300-\u036f]/);
  });

  it('handles a long string', () => {
    assert.equal(foldVietnamese('Đà Nẵng '.repeat(100_000)), 'da nang '.repeat(100_000));
  });
});
