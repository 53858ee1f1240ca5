#!/usr/bin/env -S node --import tsx
// Generates packages/server/demo/devices.json, the demo city's sensors, from the hand-picked place
// lists below. Output is deterministic (seeded PRNG, fixed order) so the committed file only
// changes when this script does.
// Usage: node --import tsx scripts/gen-demo-devices.ts [--check]
//   --check  exit 1 if the committed file differs from what this script would write.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateDevice, type DeviceInput } from '@haidang/domain';

const DEMO_DIR = fileURLToPath(new URL('../packages/server/demo/', import.meta.url));
/** The areas of the 2023 org preset. */
const UNITS_FILE = new URL('../packages/server/presets/danang-2023.json', import.meta.url);
const DEVICES_FILE = `${DEMO_DIR}devices.json`;

/** A named place: [name suffix, lat, lon, ward/commune GSO code]. */
type Place = [string, number, number, string];

/** Short district tags used in device ids (GSO district code → tag). */
const DISTRICT_TAG: Record<string, string> = {
  '490': 'lc', // Liên Chiểu
  '491': 'tk', // Thanh Khê
  '492': 'hc', // Hải Châu
  '493': 'st', // Sơn Trà
  '494': 'nhs', // Ngũ Hành Sơn
  '495': 'cl', // Cẩm Lệ
  '497': 'hv', // Hòa Vang
};

/** mulberry32: tiny seeded PRNG, enough for reproducible tokens and offsets. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AIR_QUALITY: Place[] = [
  ['41 Lê Duẩn', 16.0718, 108.2198, '20233'],
  ['Đại học Bách khoa (Nguyễn Lương Bằng)', 16.074, 108.15, '20197'],
  ['KCN Hòa Khánh', 16.0795, 108.1365, '20197'],
  ['KCN Liên Chiểu', 16.1225, 108.129, '20194'],
  ['Ngã ba Huế', 16.0612, 108.1745, '20224'],
  ['Công viên Biển Đông', 16.0697, 108.2455, '20275'],
  ['Âu thuyền Thọ Quang', 16.099, 108.2425, '20263'],
  ['KCN Hòa Cầm', 16.0215, 108.1765, '20311'],
  ['Khuê Trung (Cách Mạng Tháng 8)', 16.029, 108.2085, '20260'],
  ['Ngũ Hành Sơn (Non Nước)', 16.0035, 108.2615, '20290'],
  ['Hòa Xuân', 16.007, 108.223, '20314'],
  ['Túy Loan (Hòa Phong)', 15.988, 108.139, '20320'],
];

// The wastewater model reads the kind of discharge from the name ("XLNT" without "KCN" =
// municipal plant, "rỉ rác" = landfill leachate, otherwise an industrial outfall).
const WASTEWATER: Place[] = [
  ['Nhà máy XLNT tập trung KCN Hòa Khánh', 16.0825, 108.131, '20197'],
  ['Nhà máy thép (KCN Hòa Khánh)', 16.078, 108.133, '20197'],
  ['Nhà máy dệt nhuộm (KCN Hòa Khánh)', 16.0755, 108.1395, '20197'],
  ['Nhà máy chế biến gỗ (KCN Hòa Khánh)', 16.0845, 108.1395, '20197'],
  ['KCN Hòa Khánh mở rộng', 16.064, 108.1365, '20198'],
  ['Nhà máy XLNT tập trung KCN Liên Chiểu', 16.119, 108.124, '20194'],
  ['Nhà máy xi măng (KCN Liên Chiểu)', 16.1245, 108.1225, '20194'],
  ['Nhà máy giấy (KCN Liên Chiểu)', 16.116, 108.128, '20194'],
  ['Nhà máy XLNT tập trung KCN Hòa Cầm', 16.0195, 108.1745, '20311'],
  ['Nhà máy may (KCN Hòa Cầm)', 16.023, 108.179, '20311'],
  ['Nhà máy bia (KCN Hòa Cầm)', 16.025, 108.176, '20311'],
  ['KCN dịch vụ thủy sản Thọ Quang', 16.104, 108.2455, '20263'],
  ['Chợ đầu mối thủy sản Thọ Quang', 16.1005, 108.244, '20263'],
  ['KCN An Đồn', 16.0775, 108.233, '20272'],
  ['Nhà máy XLNT Phú Lộc', 16.0765, 108.1735, '20206'],
  ['Nhà máy XLNT Hòa Cường', 16.0215, 108.2255, '20258'],
  ['Nhà máy XLNT Sơn Trà', 16.0905, 108.2395, '20269'],
  ['Nhà máy XLNT Ngũ Hành Sơn', 16.015, 108.25, '20290'],
  ['Nhà máy XLNT Hòa Xuân', 16.0, 108.226, '20314'],
  ['nước rỉ rác bãi chôn lấp Khánh Sơn', 16.052, 108.129, '20198'],
];

const RAIN_GAUGES: Place[] = [
  ['Nguyễn Văn Cừ (Hòa Hiệp Bắc)', 16.135, 108.1215, '20194'],
  ['Hòa Hiệp Nam', 16.11, 108.133, '20195'],
  ['Hòa Khánh Bắc', 16.076, 108.147, '20197'],
  ['Hòa Khánh Nam', 16.059, 108.148, '20198'],
  ['Hòa Minh', 16.069, 108.166, '20200'],
  ['Thanh Khê Tây', 16.07, 108.181, '20206'],
  ['Xuân Hà', 16.073, 108.203, '20209'],
  ['Thạc Gián', 16.061, 108.208, '20218'],
  ['An Khê', 16.056, 108.186, '20224'],
  ['Thuận Phước', 16.083, 108.2185, '20230'],
  ['Thạch Thang', 16.0735, 108.218, '20233'],
  ['Hải Châu', 16.0665, 108.2215, '20236'],
  ['Phước Ninh', 16.059, 108.218, '20242'],
  ['Hòa Thuận Tây', 16.05, 108.212, '20245'],
  ['Bình Thuận', 16.053, 108.2205, '20254'],
  ['Hòa Cường Bắc', 16.043, 108.219, '20257'],
  ['Hòa Cường Nam', 16.029, 108.2225, '20258'],
  ['Thọ Quang', 16.1, 108.248, '20263'],
  ['bán đảo Sơn Trà (chùa Linh Ứng)', 16.1003, 108.2778, '20263'],
  ['Mân Thái', 16.086, 108.244, '20269'],
  ['An Hải Bắc', 16.072, 108.238, '20272'],
  ['An Hải Nam', 16.059, 108.238, '20278'],
  ['Khuê Mỹ', 16.032, 108.248, '20285'],
  ['Hòa Quý', 15.992, 108.24, '20287'],
  ['Hòa Hải', 16.003, 108.264, '20290'],
  ['Khuê Trung', 16.03, 108.207, '20260'],
  ['Hòa Phát', 16.039, 108.18, '20305'],
  ['Hòa An', 16.05, 108.176, '20306'],
  ['Hòa Thọ Tây', 16.015, 108.185, '20311'],
  ['Hòa Thọ Đông', 16.021, 108.205, '20312'],
  ['Hòa Xuân', 16.005, 108.227, '20314'],
  // Hòa Vang: the mountains west of the city get the heaviest rain and feed Cu Đê, Túy Loan and
  // Vu Gia, so they are covered more densely than their population would suggest.
  ['Tà Lang (Hòa Bắc)', 16.13, 107.98, '20293'],
  ['UBND xã Hòa Bắc', 16.118, 108.045, '20293'],
  ['hồ Hòa Trung (Hòa Liên)', 16.095, 108.075, '20296'],
  ['đỉnh Bà Nà (Hòa Ninh)', 15.998, 107.988, '20299'],
  ['UBND xã Hòa Ninh', 16.035, 108.04, '20299'],
  ['Hòa Sơn', 16.055, 108.11, '20302'],
  ['Hòa Nhơn', 16.005, 108.105, '20308'],
  ['Hòa Phú', 15.96, 108.02, '20317'],
  ['Túy Loan (Hòa Phong)', 15.988, 108.142, '20320'],
  ['Hòa Châu', 15.996, 108.205, '20323'],
  ['Hòa Tiến', 15.968, 108.185, '20326'],
  ['Hòa Phước', 15.969, 108.205, '20329'],
  ['hồ Đồng Nghệ (Hòa Khương)', 15.94, 108.085, '20332'],
];

/** Streets and areas that flood in heavy rain (city flood maps and press reports of past events). */
const FLOOD_SPOTS: Place[] = [
  ['Điện Biên Phủ – Hà Huy Tập', 16.0655, 108.1975, '20207'],
  ['Điện Biên Phủ – Lê Độ', 16.0648, 108.1935, '20224'],
  ['Điện Biên Phủ – Nguyễn Tri Phương (hầm chui)', 16.0668, 108.203, '20215'],
  ['Điện Biên Phủ – Thái Thị Bôi', 16.066, 108.2005, '20215'],
  ['Hàm Nghi – Nguyễn Văn Linh', 16.0612, 108.2095, '20218'],
  ['Hàm Nghi – Lý Thái Tổ', 16.0668, 108.2097, '20218'],
  ['Nguyễn Tri Phương – Trần Cao Vân', 16.0718, 108.205, '20209'],
  ['Nguyễn Tri Phương – Nguyễn Văn Linh', 16.0598, 108.2062, '20218'],
  ['Nguyễn Tri Phương – Nguyễn Hữu Thọ', 16.051, 108.207, '20245'],
  ['Trần Cao Vân – Hà Huy Tập', 16.0735, 108.1965, '20207'],
  ['Trần Cao Vân – Lê Đình Lý', 16.072, 108.204, '20209'],
  ['Ông Ích Khiêm – Lê Duẩn', 16.0698, 108.2128, '20233'],
  ['Ông Ích Khiêm – Hải Phòng', 16.0725, 108.2125, '20233'],
  ['Ông Ích Khiêm – Trần Cao Vân', 16.076, 108.212, '20227'],
  ['Lê Đình Lý – Đỗ Quang', 16.0635, 108.211, '20218'],
  ['Hoàng Diệu – Nguyễn Văn Linh', 16.0602, 108.217, '20242'],
  ['Hoàng Diệu – Thái Phiên', 16.064, 108.218, '20242'],
  ['Hoàng Diệu – Trưng Nữ Vương', 16.0545, 108.218, '20254'],
  ['Trưng Nữ Vương – Núi Thành', 16.054, 108.2155, '20254'],
  ['Núi Thành – Duy Tân', 16.0495, 108.2185, '20257'],
  ['Núi Thành – Phan Đăng Lưu', 16.04, 108.2188, '20257'],
  ['Núi Thành – Xô Viết Nghệ Tĩnh', 16.033, 108.219, '20258'],
  ['Phan Đăng Lưu – Tiểu La', 16.039, 108.215, '20257'],
  ['Phan Đăng Lưu – Nguyễn Hữu Thọ', 16.0385, 108.208, '20257'],
  ['Tiểu La – Lê Thanh Nghị', 16.0445, 108.215, '20257'],
  ['Nguyễn Hữu Thọ – Duy Tân', 16.0455, 108.2075, '20245'],
  ['Xô Viết Nghệ Tĩnh – Cách Mạng Tháng 8', 16.033, 108.2095, '20260'],
  ['Cách Mạng Tháng 8 – Ông Ích Đường', 16.0195, 108.2055, '20312'],
  ['Đống Đa – 3 Tháng 2', 16.0835, 108.2185, '20230'],
  ['Ngô Quyền – Lê Đức Thọ', 16.087, 108.2365, '20269'],
  ['Ngô Quyền – Phạm Văn Đồng', 16.0712, 108.235, '20272'],
  ['Ngô Quyền – Võ Văn Kiệt', 16.0612, 108.2348, '20278'],
  ['Nguyễn Văn Thoại – Ngô Quyền', 16.052, 108.2345, '20284'],
  ['Trần Hưng Đạo – An Đồn', 16.078, 108.23, '20272'],
  ['Ngũ Hành Sơn – Hồ Xuân Hương', 16.041, 108.244, '20284'],
  ['Lê Văn Hiến – Khuê Mỹ', 16.026, 108.248, '20285'],
  ['Lê Văn Hiến – Trần Đại Nghĩa', 16.015, 108.2525, '20290'],
  ['Lê Văn Hiến – Mai Đăng Chơn', 16.006, 108.257, '20290'],
  ['Tôn Đức Thắng – Ngã ba Huế', 16.0612, 108.172, '20200'],
  ['Tôn Đức Thắng – Nguyễn Như Hạnh', 16.0625, 108.1655, '20200'],
  ['Tôn Đức Thắng – Phạm Như Xương (ĐH Sư phạm)', 16.063, 108.1595, '20198'],
  ['Tôn Đức Thắng – Âu Cơ', 16.069, 108.152, '20197'],
  ['Nguyễn Lương Bằng – Âu Cơ', 16.0775, 108.1485, '20197'],
  ['Âu Cơ – Hòa Khánh Nam', 16.068, 108.147, '20198'],
  ['Hoàng Văn Thái (Hòa Khánh Nam)', 16.057, 108.147, '20198'],
  ['Nguyễn Sinh Sắc (Hòa Minh)', 16.07, 108.1625, '20200'],
  ['Kinh Dương Vương – Nguyễn Tất Thành', 16.0735, 108.1635, '20200'],
  ['Nguyễn Tất Thành – Xuân Thiều', 16.086, 108.152, '20197'],
  ['sông Phú Lộc – Trần Xuân Lê', 16.064, 108.188, '20224'],
  ['sông Phú Lộc – Hoàng Thị Loan', 16.072, 108.17, '20200'],
  ['sông Phú Lộc – Dũng Sĩ Thanh Khê', 16.074, 108.18, '20206'],
  ['sông Phú Lộc – Nguyễn Phước Nguyên', 16.063, 108.183, '20224'],
  ['sông Phú Lộc – Tô Hiệu', 16.066, 108.172, '20200'],
  ['Trường Chinh – Tôn Đản', 16.044, 108.181, '20305'],
  ['Tôn Đản – Lê Trọng Tấn', 16.04, 108.172, '20305'],
  ['Hòa Xuân – Nguyễn Phước Lan', 16.003, 108.225, '20314'],
  ['Hòa Xuân – Lê Quang Đạo', 16.008, 108.229, '20314'],
  ['Quốc lộ 1A qua Hòa Châu', 15.9985, 108.2045, '20323'],
  ['khu dân cư Phong Nam (Hòa Châu)', 15.99, 108.21, '20323'],
  ['Nguyễn Văn Cừ – Nam Ô', 16.115, 108.1295, '20195'],
];

// Ái Nghĩa and Câu Lâu are in Quảng Nam (merged into Đà Nẵng on 2025-07-01); in the 2023 layout
// they are attached to the nearest Đà Nẵng commune (Hòa Khương, Hòa Phước) because the city
// operates on their readings for Vu Gia–Thu Bồn floods. Their coordinates are the real ones.
const RIVER_STATIONS: Place[] = [
  ['Trạm thủy văn Cẩm Lệ (sông Cẩm Lệ)', 16.0125, 108.2035, '20312'],
  ['Trạm thủy văn Ái Nghĩa (sông Vu Gia, Đại Lộc – Quảng Nam)', 15.887, 108.115, '20332'],
  ['Trạm thủy văn Câu Lâu (sông Thu Bồn, Điện Bàn – Quảng Nam)', 15.857, 108.285, '20329'],
  ['Trạm đo mực nước sông Hàn – cầu Sông Hàn', 16.0722, 108.2262, '20236'],
  ['Trạm đo mực nước sông Hàn – cửa sông (cầu Thuận Phước)', 16.09, 108.221, '20230'],
  ['Trạm đo mực nước sông Cu Đê – cầu Nam Ô', 16.1175, 108.1265, '20195'],
  ['Trạm đo mực nước sông Cu Đê – Hòa Bắc', 16.125, 108.04, '20293'],
  ['Trạm đo mực nước sông Túy Loan – cầu Túy Loan', 15.996, 108.138, '20320'],
  ['Trạm đo mực nước sông Yên – cầu Quá Giáng', 15.977, 108.206, '20329'],
];

/** A road (or bridge group) with the two directions counted and its counting points. */
interface Road {
  road: string;
  dirs: [string, string];
  /** Counters of this road publish ThingsBoard-style (a vendor platform), with a token each. */
  thingsboard?: boolean;
  points: Place[];
}

const ROADS: Road[] = [
  {
    road: 'Nguyễn Văn Linh',
    dirs: ['hướng cầu Rồng', 'hướng sân bay'],
    points: [
      ['Bạch Đằng', 16.0612, 108.2235, '20242'],
      ['Phan Châu Trinh', 16.0608, 108.22, '20242'],
      ['Hoàng Diệu', 16.0604, 108.217, '20242'],
      ['Hàm Nghi (ngã tư sân bay)', 16.0605, 108.2098, '20218'],
      ['Nguyễn Tri Phương', 16.0598, 108.2065, '20218'],
    ],
  },
  {
    road: 'Điện Biên Phủ',
    dirs: ['hướng trung tâm', 'hướng Ngã ba Huế'],
    points: [
      ['Nguyễn Tri Phương (hầm chui)', 16.0668, 108.2035, '20215'],
      ['Thái Thị Bôi', 16.066, 108.2005, '20215'],
      ['Hà Huy Tập', 16.0652, 108.1972, '20207'],
      ['Lê Độ', 16.0647, 108.194, '20224'],
      ['Huỳnh Ngọc Huệ', 16.064, 108.19, '20224'],
    ],
  },
  {
    road: 'Nút giao Ngã ba Huế',
    dirs: ['hướng Tôn Đức Thắng', 'hướng Trường Chinh'],
    points: [['cầu vượt', 16.061, 108.174, '20224']],
  },
  {
    road: 'Tôn Đức Thắng',
    dirs: ['hướng Ngã ba Huế', 'hướng Liên Chiểu'],
    points: [
      ['Nguyễn Như Hạnh', 16.0625, 108.1655, '20200'],
      ['Phạm Như Xương', 16.063, 108.1595, '20198'],
      ['Âu Cơ', 16.069, 108.152, '20197'],
    ],
  },
  {
    road: 'Nguyễn Lương Bằng',
    dirs: ['hướng Hòa Khánh', 'hướng Nam Ô'],
    points: [
      ['ĐH Bách khoa', 16.0745, 108.1495, '20197'],
      ['Hồ Tùng Mậu', 16.083, 108.145, '20197'],
      ['Nguyễn Chánh', 16.093, 108.14, '20195'],
      ['Nguyễn Tất Thành (Nam Ô)', 16.108, 108.133, '20195'],
    ],
  },
  {
    road: 'Nguyễn Văn Cừ (Quốc lộ 1A)',
    dirs: ['hướng hầm Hải Vân', 'hướng trung tâm'],
    points: [
      ['cầu Nam Ô', 16.119, 108.126, '20194'],
      ['KCN Liên Chiểu', 16.129, 108.1215, '20194'],
      ['Kim Liên', 16.136, 108.119, '20194'],
      ['chân đèo Hải Vân', 16.148, 108.1175, '20194'],
    ],
  },
  {
    road: 'Nguyễn Tất Thành',
    dirs: ['hướng cầu Thuận Phước', 'hướng Liên Chiểu'],
    points: [
      ['Đống Đa', 16.0845, 108.214, '20230'],
      ['Ông Ích Khiêm', 16.082, 108.208, '20227'],
      ['Hà Huy Tập', 16.08, 108.198, '20207'],
      ['Dũng Sĩ Thanh Khê', 16.078, 108.183, '20206'],
      ['Kinh Dương Vương', 16.076, 108.167, '20200'],
      ['Xuân Thiều', 16.088, 108.15, '20197'],
      ['Nam Ô', 16.102, 108.14, '20195'],
    ],
  },
  {
    road: 'Lê Duẩn',
    dirs: ['hướng cầu Sông Hàn', 'hướng Điện Biên Phủ'],
    points: [
      ['Bạch Đằng', 16.0718, 108.2235, '20233'],
      ['Ông Ích Khiêm', 16.0698, 108.2128, '20233'],
      ['Lê Đình Lý', 16.069, 108.21, '20215'],
    ],
  },
  {
    road: 'Hùng Vương',
    dirs: ['hướng Bạch Đằng', 'hướng Ông Ích Khiêm'],
    points: [
      ['Trần Phú', 16.068, 108.222, '20236'],
      ['Phan Châu Trinh', 16.0677, 108.2195, '20236'],
      ['Ông Ích Khiêm', 16.0668, 108.2132, '20236'],
    ],
  },
  {
    road: 'Bạch Đằng',
    dirs: ['hướng cầu Thuận Phước', 'hướng cầu Rồng'],
    points: [
      ['Chợ Hàn', 16.068, 108.2245, '20236'],
    ],
  },
  {
    road: 'Đường 2 Tháng 9',
    dirs: ['hướng cầu Rồng', 'hướng Hòa Xuân'],
    points: [
      ['Trưng Nữ Vương', 16.055, 108.223, '20254'],
      ['Duy Tân (cầu Trần Thị Lý)', 16.0498, 108.2232, '20257'],
      ['Phan Đăng Lưu', 16.041, 108.2235, '20257'],
      ['Công viên Châu Á', 16.038, 108.224, '20258'],
      ['Xô Viết Nghệ Tĩnh (cầu Tiên Sơn)', 16.034, 108.2245, '20258'],
    ],
  },
  {
    road: 'Núi Thành',
    dirs: ['hướng Nguyễn Văn Linh', 'hướng Hòa Cường'],
    points: [
      ['Duy Tân', 16.0495, 108.2185, '20257'],
      ['Phan Đăng Lưu', 16.04, 108.2188, '20257'],
      ['Xô Viết Nghệ Tĩnh', 16.033, 108.219, '20258'],
    ],
  },
  {
    road: 'Nguyễn Hữu Thọ',
    dirs: ['hướng sân bay', 'hướng Cẩm Lệ'],
    points: [
      ['Duy Tân', 16.0455, 108.2075, '20245'],
      ['Phan Đăng Lưu', 16.0385, 108.208, '20257'],
    ],
  },
  {
    road: 'Nguyễn Tri Phương',
    dirs: ['hướng Điện Biên Phủ', 'hướng Hòa Cường'],
    points: [
      ['Trần Cao Vân', 16.0718, 108.205, '20209'],
      ['Nguyễn Hữu Thọ', 16.051, 108.207, '20245'],
    ],
  },
  {
    road: 'Cách Mạng Tháng 8',
    dirs: ['hướng Hòa Cường', 'hướng cầu Cẩm Lệ'],
    points: [
      ['Xô Viết Nghệ Tĩnh', 16.033, 108.2095, '20260'],
      ['Lê Đại Hành', 16.0265, 108.2075, '20260'],
      ['Ông Ích Đường', 16.0195, 108.2055, '20312'],
    ],
  },
  {
    road: 'Trường Chinh',
    dirs: ['hướng Ngã ba Huế', 'hướng Hòa Cầm'],
    points: [
      ['Tôn Đản', 16.047, 108.18, '20306'],
      ['Lê Trọng Tấn', 16.041, 108.1835, '20305'],
      ['nút giao Hòa Cầm', 16.025, 108.188, '20311'],
    ],
  },
  {
    road: 'Quốc lộ 1A',
    dirs: ['hướng trung tâm', 'hướng Quảng Nam'],
    points: [
      ['Hòa Châu', 15.999, 108.204, '20323'],
      ['cầu Quá Giáng', 15.978, 108.206, '20329'],
      ['giáp Quảng Nam (Hòa Phước)', 15.965, 108.21, '20329'],
    ],
  },
  {
    road: 'Quốc lộ 14B',
    dirs: ['hướng Hòa Cầm', 'hướng Túy Loan'],
    points: [
      ['Hòa Thọ Tây', 16.018, 108.175, '20311'],
      ['Túy Loan', 15.995, 108.135, '20320'],
      ['Hòa Phong', 15.985, 108.115, '20320'],
    ],
  },
  {
    road: 'ĐT602',
    dirs: ['hướng Bà Nà', 'hướng Hòa Khánh'],
    points: [
      ['Hòa Sơn', 16.05, 108.115, '20302'],
      ['chân núi Bà Nà (Hòa Ninh)', 16.025, 108.035, '20299'],
    ],
  },
  {
    road: 'Võ Nguyên Giáp',
    dirs: ['hướng Sơn Trà', 'hướng Ngũ Hành Sơn'],
    thingsboard: true,
    points: [
      ['Hoàng Sa', 16.085, 108.2465, '20269'],
      ['Phạm Văn Đồng', 16.0712, 108.2458, '20275'],
    ],
  },
  {
    road: 'Võ Nguyên Giáp',
    dirs: ['hướng Sơn Trà', 'hướng Ngũ Hành Sơn'],
    points: [
      ['Võ Văn Kiệt', 16.062, 108.2465, '20278'],
      ['Nguyễn Văn Thoại', 16.0545, 108.2472, '20284'],
      ['Lê Quang Đạo', 16.042, 108.249, '20285'],
      ['Lê Văn Hiến', 16.03, 108.254, '20285'],
    ],
  },
  {
    road: 'Trường Sa',
    dirs: ['hướng Võ Nguyên Giáp', 'hướng Hội An'],
    points: [
      ['Sơn Thủy', 16.018, 108.264, '20290'],
      ['Non Nước', 16.005, 108.27, '20290'],
      ['giáp Hội An', 15.975, 108.281, '20290'],
    ],
  },
  {
    road: 'Hoàng Sa',
    dirs: ['hướng bán đảo Sơn Trà', 'hướng trung tâm'],
    points: [
      ['Lê Văn Lương', 16.095, 108.25, '20263'],
      ['Yết Kiêu', 16.102, 108.248, '20263'],
      ['chùa Linh Ứng', 16.1, 108.274, '20263'],
    ],
  },
  {
    road: 'Ngô Quyền',
    dirs: ['hướng Thọ Quang', 'hướng Ngũ Hành Sơn'],
    points: [
      ['cảng cá Thọ Quang', 16.096, 108.238, '20263'],
      ['Lê Đức Thọ', 16.086, 108.237, '20269'],
      ['Phạm Văn Đồng', 16.0712, 108.235, '20272'],
      ['Võ Văn Kiệt', 16.0612, 108.2348, '20278'],
      ['Nguyễn Văn Thoại', 16.052, 108.235, '20284'],
      ['Ngũ Hành Sơn', 16.046, 108.2385, '20284'],
    ],
  },
  {
    road: 'Lê Văn Hiến',
    dirs: ['hướng Sơn Trà', 'hướng Hội An'],
    points: [
      ['Trần Đại Nghĩa', 16.015, 108.253, '20290'],
      ['Huyền Trân Công Chúa', 16.003, 108.259, '20290'],
    ],
  },
  {
    road: 'Trần Hưng Đạo',
    dirs: ['hướng cầu Thuận Phước', 'hướng Ngũ Hành Sơn'],
    points: [
      ['An Đồn', 16.078, 108.23, '20272'],
      ['Phạm Văn Đồng (cầu Sông Hàn)', 16.0718, 108.2295, '20272'],
      ['Võ Văn Kiệt (cầu Rồng)', 16.0615, 108.23, '20278'],
      ['Nguyễn Văn Thoại (cầu Trần Thị Lý)', 16.051, 108.2305, '20278'],
    ],
  },
  {
    road: 'Phạm Văn Đồng',
    dirs: ['hướng cầu Sông Hàn', 'hướng biển'],
    points: [['Hồ Nghinh', 16.0713, 108.242, '20275']],
  },
  {
    road: 'Cầu Rồng',
    dirs: ['hướng Sơn Trà', 'hướng Hải Châu'],
    thingsboard: true,
    points: [['giữa cầu', 16.0612, 108.2268, '20242']],
  },
  {
    road: 'Cầu Sông Hàn',
    dirs: ['hướng Sơn Trà', 'hướng Hải Châu'],
    thingsboard: true,
    points: [['giữa cầu', 16.0721, 108.2266, '20233']],
  },
  {
    road: 'Cầu Trần Thị Lý',
    dirs: ['hướng Sơn Trà', 'hướng Hải Châu'],
    thingsboard: true,
    points: [['giữa cầu', 16.05, 108.227, '20257']],
  },
  {
    road: 'Cầu Tiên Sơn',
    dirs: ['hướng Ngũ Hành Sơn', 'hướng Hải Châu'],
    thingsboard: true,
    points: [['giữa cầu', 16.0355, 108.229, '20258']],
  },
  {
    road: 'Cầu Thuận Phước',
    dirs: ['hướng Sơn Trà', 'hướng Hải Châu'],
    thingsboard: true,
    points: [['giữa cầu', 16.0925, 108.2205, '20230']],
  },
  {
    road: 'Cầu Cẩm Lệ',
    dirs: ['hướng Hòa Châu', 'hướng Cẩm Lệ'],
    thingsboard: true,
    points: [['giữa cầu', 16.0125, 108.204, '20312']],
  },
  {
    road: 'Cầu Hòa Xuân',
    dirs: ['hướng Hòa Xuân', 'hướng Hải Châu'],
    thingsboard: true,
    points: [['giữa cầu', 16.0165, 108.2245, '20314']],
  },
  {
    road: 'Cầu Nguyễn Tri Phương',
    dirs: ['hướng Hòa Xuân', 'hướng Hải Châu'],
    thingsboard: true,
    points: [['giữa cầu', 16.0185, 108.2175, '20314']],
  },
];

interface Unit {
  code: string;
  kind: string;
  parent: string | null;
}

/** Builds the device list; pure apart from reading the units file for the ward → district map. */
export function buildDemoDevices(units: Unit[]): DeviceInput[] {
  const parentOf = new Map(units.map((u) => [u.code, u]));
  const rand = mulberry32(20231014); // the date of Đà Nẵng's first level-4 heavy-rain warning
  const seq = new Map<string, number>();
  const devices: DeviceInput[] = [];

  const nextId = (prefix: string, unitCode: string): string => {
    const unit = parentOf.get(unitCode);
    if (!unit || (unit.kind !== 'ward' && unit.kind !== 'commune') || !unit.parent) {
      throw new Error(`unit ${unitCode} is not a ward or commune of the demo city`);
    }
    const tag = DISTRICT_TAG[unit.parent];
    if (!tag) throw new Error(`no district tag for ${unit.parent}`);
    const key = `${prefix}-${tag}`;
    const n = (seq.get(key) ?? 0) + 1;
    seq.set(key, n);
    return `${key}-${String(n).padStart(3, '0')}`;
  };
  const round5 = (x: number) => Math.round(x * 1e5) / 1e5;
  const token = (): string => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < 20; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };
  const add = (prefix: string, type: string, apikey: string, name: string, [, lat, lon, unitCode]: Place) => {
    const d: DeviceInput = { id: nextId(prefix, unitCode), type, name, location: { lat: round5(lat), lon: round5(lon) }, unitCode, apikey };
    devices.push(d);
    return d;
  };

  for (const p of AIR_QUALITY) add('aq', 'air_quality', 'dn-env-aq', `Trạm quan trắc không khí ${p[0]}`, p);
  for (const p of WASTEWATER) add('ww', 'wastewater', 'dn-env-ww', `Quan trắc nước thải ${p[0]}`, p);
  for (const p of RAIN_GAUGES) add('rg', 'rain_gauge', 'dn-kttv-rain', `Trạm đo mưa ${p[0]}`, p);
  for (const p of FLOOD_SPOTS) add('fd', 'flood_depth', 'dn-flood', `Cảm biến ngập ${p[0]}`, p);
  for (const p of RIVER_STATIONS) add('rl', 'river_level', 'dn-kttv-river', p[0], p);
  for (const road of ROADS) {
    for (const p of road.points) {
      road.dirs.forEach((dir, i) => {
        // Two counters at one crossing sit on opposite carriageways, a few metres apart.
        const offset = (i === 0 ? 1 : -1) * (0.00004 + rand() * 0.00004);
        const place: Place = [p[0], p[1] + offset, p[2] - offset, p[3]];
        const at = p[0] === 'giữa cầu' ? '' : ` – ${p[0]}`;
        const d = add('tf', 'traffic', 'dn-traffic', `Bộ đếm xe ${road.road}${at} (${dir})`, place);
        if (road.thingsboard) d.accessToken = token();
      });
    }
  }

  const ids = new Set<string>();
  for (const d of devices) {
    const v = validateDevice(d);
    if (!v.ok) throw new Error(`${d.id}: ${JSON.stringify(v.errors)}`);
    if (ids.has(d.id)) throw new Error(`duplicate id ${d.id}`);
    ids.add(d.id);
  }
  return devices;
}

/** Serialises one device per line, so diffs of the committed file stay readable. */
export function formatDevices(devices: DeviceInput[]): string {
  return `{"devices":[\n${devices.map((d) => JSON.stringify(d)).join(',\n')}\n]}\n`;
}

function main(): void {
  const units = (JSON.parse(readFileSync(UNITS_FILE, 'utf8')) as { units: Unit[] }).units;
  const text = formatDevices(buildDemoDevices(units));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(DEVICES_FILE, 'utf8');
    } catch {
      // a missing file is reported as out of date below
    }
    if (current !== text) {
      console.error(`${DEVICES_FILE} is out of date: run node --import tsx scripts/gen-demo-devices.ts`);
      process.exit(1);
    }
    console.log('devices.json is up to date');
    return;
  }
  writeFileSync(DEVICES_FILE, text);
  const counts: Record<string, number> = {};
  const devices = JSON.parse(text).devices as DeviceInput[];
  for (const d of devices) counts[d.type] = (counts[d.type] ?? 0) + 1;
  const tokens = devices.filter((d) => d.accessToken).length;
  console.log(`wrote ${devices.length} devices to ${DEVICES_FILE}: ${JSON.stringify(counts)}, ${tokens} with access token`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
