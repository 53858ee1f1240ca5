import type { Device } from '@haidang/domain';
import type { OrgUnit } from '../../src/services/ports.ts';

/** A tiny org tree: city 48 → district 492 → wards 20233, 20236; district 493 → ward 20263; the health OC. */
export const UNITS: OrgUnit[] = [
  { code: '48', name: { vi: 'Thành phố Đà Nẵng', en: 'Da Nang City' }, kind: 'city', parent: null },
  { code: '492', name: { vi: 'Quận Hải Châu', en: 'Hai Chau District' }, kind: 'district', parent: '48' },
  { code: '20233', name: { vi: 'Phường Thạch Thang', en: 'Thach Thang Ward' }, kind: 'ward', parent: '492' },
  { code: '20236', name: { vi: 'Phường Hải Châu', en: 'Hai Chau Ward' }, kind: 'ward', parent: '492' },
  { code: '493', name: { vi: 'Quận Sơn Trà', en: 'Son Tra District' }, kind: 'district', parent: '48' },
  { code: '20263', name: { vi: 'Phường Thọ Quang', en: 'Tho Quang Ward' }, kind: 'ward', parent: '493' },
  { code: '48-health', name: { vi: 'Trung tâm điều hành Sở Y tế', en: 'Department of Health operation center' }, kind: 'sector_oc', parent: '48', sector: 'health' },
];

/** A valid device input with overrides. */
export function deviceInput(over: Partial<Device> & { accessToken?: string } = {}): Record<string, unknown> {
  return {
    id: 'aq-1',
    type: 'air_quality',
    name: 'Trạm không khí Cẩm Lệ',
    location: { lat: 16.02, lon: 108.2 },
    unitCode: '20233',
    apikey: 'key-aq',
    ...over,
  };
}

export function rainGauge(id: string, unitCode = '20233', apikey = 'key-rain'): Device {
  return {
    id,
    type: 'rain_gauge',
    name: `Trạm đo mưa ${id}`,
    location: { lat: 16.05, lon: 108.2 },
    unitCode,
    sector: 'environment',
    apikey,
    attributes: [{ name: 'rain', unit: 'mm', min: 0, max: 200, periodS: 300 }],
  };
}
