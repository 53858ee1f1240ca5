import type { AttributeSpec } from './device.ts';

/** Sector codes of the operation centers (sở, ngành). */
export const SECTORS = [
  'environment', // Tài nguyên và Môi trường
  'transport', // Giao thông vận tải
  'construction', // Xây dựng (thoát nước, chống ngập)
  'health', // Y tế
  'education', // Giáo dục và Đào tạo
  'industry_trade', // Công Thương
  'police', // Công an
  'tourism', // Du lịch
] as const;
export type Sector = (typeof SECTORS)[number];

export interface DeviceTypeInfo {
  name: { vi: string; en: string };
  sector: Sector;
  attributes: AttributeSpec[];
}

const attr = (name: string, unit: string, min: number, max: number, periodS: number): AttributeSpec => ({
  name,
  unit,
  min,
  max,
  periodS,
});

/**
 * The sensor types the demo city and the import know, with their default attributes. Ranges are
 * physical limits of the instruments (a value outside is a fault, not a warning); periods are the
 * expected reporting interval. A device may declare its own attributes instead.
 */
export const DEVICE_TYPES: Record<string, DeviceTypeInfo> = {
  air_quality: {
    name: { vi: 'Trạm quan trắc không khí', en: 'Air quality station' },
    sector: 'environment',
    attributes: [
      attr('pm25', 'µg/m³', 0, 1000, 60),
      attr('pm10', 'µg/m³', 0, 2000, 60),
      attr('no2', 'µg/m³', 0, 2000, 60),
      attr('so2', 'µg/m³', 0, 2600, 60),
      attr('co', 'µg/m³', 0, 100000, 60),
      attr('o3', 'µg/m³', 0, 1200, 60),
    ],
  },
  wastewater: {
    name: { vi: 'Quan trắc nước thải tự động', en: 'Wastewater discharge monitor' },
    sector: 'environment',
    attributes: [
      attr('ph', 'pH', 0, 14, 300),
      attr('cod', 'mg/L', 0, 5000, 300),
      attr('tss', 'mg/L', 0, 5000, 300),
      attr('nh4', 'mg/L', 0, 500, 300),
      attr('flow', 'm³/h', 0, 20000, 300),
    ],
  },
  rain_gauge: {
    name: { vi: 'Trạm đo mưa', en: 'Rain gauge' },
    sector: 'environment',
    attributes: [attr('rain', 'mm', 0, 200, 300)],
  },
  flood_depth: {
    name: { vi: 'Cảm biến độ sâu ngập', en: 'Street flood-depth sensor' },
    sector: 'construction',
    attributes: [attr('depth', 'cm', 0, 300, 60)],
  },
  river_level: {
    name: { vi: 'Trạm đo mực nước sông', en: 'River level station' },
    sector: 'environment',
    attributes: [attr('level', 'm', -5, 20, 300)],
  },
  traffic: {
    name: { vi: 'Bộ đếm giao thông', en: 'Traffic counter' },
    sector: 'transport',
    attributes: [attr('speed', 'km/h', 0, 200, 60), attr('vehicles', 'veh/min', 0, 500, 60)],
  },
};
