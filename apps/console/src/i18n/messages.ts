/**
 * Every text of the console, in Vietnamese (the default) and English. Keys name the place the text
 * appears. `{name}` marks a value filled in at run time. A test checks both languages are present
 * and carry the same placeholders.
 */
export const messages = {
  'app.title': { vi: 'Hải Đăng — Trung tâm giám sát, điều hành thông minh', en: 'Hải Đăng — Intelligent Operations Center' },
  'app.short': { vi: 'Hải Đăng IOC', en: 'Hải Đăng IOC' },
  'app.language': { vi: 'Ngôn ngữ', en: 'Language' },
  'app.switchLanguage': { vi: 'English', en: 'Tiếng Việt' },
  'app.signOut': { vi: 'Đăng xuất', en: 'Sign out' },
  'app.signedInAs': { vi: 'Đăng nhập: {name}', en: 'Signed in: {name}' },
  'app.loading': { vi: 'Đang tải…', en: 'Loading…' },
  'app.retry': { vi: 'Thử lại', en: 'Retry' },
  'app.error': { vi: 'Có lỗi: {message}', en: 'Error: {message}' },
  'app.live': { vi: 'Trực tuyến', en: 'Live' },
  'app.reconnecting': { vi: 'Đang kết nối lại…', en: 'Reconnecting…' },
  'app.scope': { vi: 'Phạm vi: {scope}', en: 'Scope: {scope}' },

  'nav.overview': { vi: 'Tổng quan', en: 'Overview' },
  'nav.alerts': { vi: 'Cảnh báo', en: 'Alerts' },
  'nav.main': { vi: 'Điều hướng chính', en: 'Main navigation' },

  'login.title': { vi: 'Đăng nhập', en: 'Sign in' },
  'login.username': { vi: 'Tên đăng nhập', en: 'Username' },
  'login.password': { vi: 'Mật khẩu', en: 'Password' },
  'login.submit': { vi: 'Đăng nhập', en: 'Sign in' },
  'login.failed': { vi: 'Tên đăng nhập hoặc mật khẩu không đúng.', en: 'Wrong username or password.' },
  'login.throttled': { vi: 'Quá nhiều lần thử. Vui lòng thử lại sau.', en: 'Too many attempts. Please try again later.' },
  'login.expired': { vi: 'Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.', en: 'Your session has ended. Please sign in again.' },

  'overview.title': { vi: 'Tổng quan thành phố', en: 'City overview' },
  'overview.map': { vi: 'Bản đồ thành phố', en: 'City map' },
  'overview.allCity': { vi: 'Toàn phạm vi', en: 'Whole scope' },
  'overview.filteredTo': { vi: 'Đang xem: {unit}', en: 'Showing: {unit}' },
  'overview.showAll': { vi: 'Xem toàn bộ', en: 'Show all' },
  'overview.colourBy': { vi: 'Tô màu theo', en: 'Colour by' },
  'overview.colour.state': { vi: 'Trạng thái', en: 'State' },
  'overview.colour.value': { vi: 'Giá trị (AQI, ngập, mưa, tốc độ)', en: 'Value (AQI, flooding, rain, speed)' },
  'overview.legend': { vi: 'Chú giải', en: 'Legend' },
  'overview.noGeometry': { vi: 'Chưa có ranh giới đơn vị để vẽ bản đồ.', en: 'No unit boundaries to draw the map.' },
  'overview.devicesShown': { vi: '{count} thiết bị', en: '{count} devices' },
  'overview.activeAlerts': { vi: 'Cảnh báo đang mở', en: 'Active alerts' },

  'tile.alerts': { vi: 'Cảnh báo đang mở', en: 'Active alerts' },
  'tile.escalated': { vi: '{count} đã chuyển cấp trên', en: '{count} escalated' },
  'tile.devices': { vi: 'Thiết bị trực tuyến', en: 'Devices online' },
  'tile.devicesOf': { vi: '{online} / {total}', en: '{online} / {total}' },
  'tile.offline': { vi: '{count} mất kết nối', en: '{count} offline' },
  'tile.worstAqi': { vi: 'AQI cao nhất', en: 'Worst AQI' },
  'tile.rainNow': { vi: 'Mưa 1 giờ lớn nhất', en: 'Most rain in 1 h' },
  'tile.rivers': { vi: 'Mực nước sông', en: 'River levels' },
  'tile.none': { vi: 'Không có dữ liệu', en: 'No data' },
  'tile.alarm': { vi: 'BĐ{level}', en: 'Alarm {level}' },
  'tile.belowAlarm': { vi: 'Dưới BĐ1', en: 'Below alarm 1' },

  'state.ok': { vi: 'Bình thường', en: 'Normal' },
  'state.warning': { vi: 'Cần chú ý', en: 'Warning' },
  'state.alert': { vi: 'Cảnh báo', en: 'Alert' },
  'state.offline': { vi: 'Mất kết nối', en: 'Offline' },


  'alertState.active': { vi: 'Đang mở (mới + đã tiếp nhận)', en: 'Active (open + acknowledged)' },
  'alertState.all': { vi: 'Tất cả', en: 'All' },

  'alerts.title': { vi: 'Hộp cảnh báo', en: 'Alert inbox' },
  'alerts.filters': { vi: 'Bộ lọc', en: 'Filters' },
  'alerts.severity': { vi: 'Mức độ', en: 'Severity' },
  'alerts.state': { vi: 'Trạng thái', en: 'State' },
  'alerts.unit': { vi: 'Đơn vị', en: 'Unit' },
  'alerts.sector': { vi: 'Lĩnh vực', en: 'Sector' },
  'alerts.any': { vi: 'Tất cả', en: 'Any' },
  'alerts.escalatedOnly': { vi: 'Chỉ cảnh báo đã chuyển cấp trên', en: 'Escalated only' },
  'alerts.empty': { vi: 'Không có cảnh báo nào khớp bộ lọc.', en: 'No alert matches the filters.' },
  'alerts.count': { vi: '{shown} / {total} cảnh báo', en: '{shown} of {total} alerts' },
  'alerts.more': { vi: 'Xem thêm', en: 'Load more' },
  'alerts.openedAt': { vi: 'Bắt đầu', en: 'Opened' },
  'alerts.lastAt': { vi: 'Gần nhất', en: 'Latest' },
  'alerts.repeats': { vi: '{count} lần', en: '{count} times' },
  'alerts.escalated': { vi: 'Đã chuyển cấp trên', en: 'Escalated' },
  'alerts.owner': { vi: 'Đơn vị xử lý', en: 'Owner' },
  'alerts.assignee': { vi: 'Người xử lý', en: 'Assignee' },
  'alerts.nobody': { vi: 'Chưa giao', en: 'Unassigned' },
  'alerts.value': { vi: 'Giá trị', en: 'Value' },
  'alerts.peak': { vi: 'Đỉnh', en: 'Peak' },
  'alerts.select': { vi: 'Chọn một cảnh báo để xem chi tiết.', en: 'Select an alert to see its details.' },
  'alerts.evidence': { vi: 'Bằng chứng', en: 'Evidence' },
  'alerts.ruleVersion': { vi: 'Quy tắc {rule}, phiên bản {version}', en: 'Rule {rule}, version {version}' },
  'alerts.timeline': { vi: 'Diễn biến', en: 'Timeline' },
  'alerts.note': { vi: 'Ghi chú', en: 'Note' },
  'alerts.noteRequired': { vi: 'Cần ghi chú khi đóng cảnh báo.', en: 'A note is required to close an alert.' },
  'alerts.assigneePlaceholder': { vi: 'tên đăng nhập người xử lý', en: 'username of the assignee' },
  'alerts.noPermission': { vi: 'Bạn không có quyền xử lý cảnh báo của đơn vị này.', en: 'You may not handle alerts of this unit.' },
  'alerts.refusedState': { vi: 'Không thể thực hiện ở trạng thái hiện tại.', en: 'Not possible in the current state.' },
  'alerts.close': { vi: 'Đóng', en: 'Close' },
  'alerts.newAlert': { vi: 'Cảnh báo mới: {title}', en: 'New alert: {title}' },

  'action.acknowledge': { vi: 'Tiếp nhận', en: 'Acknowledge' },
  'action.assign': { vi: 'Giao xử lý', en: 'Assign' },
  'action.comment': { vi: 'Ghi chú', en: 'Comment' },
  'action.close': { vi: 'Đóng cảnh báo', en: 'Close alert' },
  'action.done': { vi: 'Đã lưu.', en: 'Saved.' },

  'event.raised': { vi: 'Phát sinh', en: 'Raised' },
  'event.reopened': { vi: 'Mở lại', en: 'Reopened' },
  'event.severity': { vi: 'Tăng mức độ', en: 'Severity raised' },
  'event.acknowledged': { vi: 'Tiếp nhận', en: 'Acknowledged' },
  'event.assigned': { vi: 'Giao xử lý', en: 'Assigned' },
  'event.commented': { vi: 'Ghi chú', en: 'Comment' },
  'event.escalated': { vi: 'Chuyển cấp trên', en: 'Escalated' },
  'event.resolved': { vi: 'Hết (điều kiện không còn)', en: 'Resolved (condition cleared)' },
  'event.cleared': { vi: 'Điều kiện đã hết', en: 'Condition cleared' },
  'event.closed': { vi: 'Đóng', en: 'Closed' },
  'event.by': { vi: 'bởi {actor}', en: 'by {actor}' },

  'chart.readings': { vi: 'Số đo', en: 'Readings' },
  'chart.raise': { vi: 'Ngưỡng phát sinh', en: 'Raise threshold' },
  'chart.clear': { vi: 'Ngưỡng kết thúc', en: 'Clear threshold' },
  'chart.noData': { vi: 'Không có số đo.', en: 'No readings.' },

  'device.values': { vi: 'Giá trị gần nhất', en: 'Latest values' },
  'device.unit': { vi: 'Đơn vị', en: 'Unit' },
} as const satisfies Record<string, { vi: string; en: string }>;

export type MessageKey = keyof typeof messages;
export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

/** The text of `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export function translate(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return messages[key][lang].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
