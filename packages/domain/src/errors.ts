/**
 * The one error catalog (IOC_ERR_<AREA>_<REASON>). Services throw IocError; the HTTP layer maps
 * it to `{statusCode, code, message, correlationId}`. docs/errors.md is generated from this table
 * and a test keeps both in step.
 */
export const ERRORS = {
  IOC_ERR_VALIDATION: { status: 400, vi: 'Dữ liệu không hợp lệ', en: 'Invalid input' },
  IOC_ERR_NOT_FOUND: { status: 404, vi: 'Không tìm thấy', en: 'Not found' },
  IOC_ERR_CONFLICT: { status: 409, vi: 'Xung đột dữ liệu', en: 'Conflict' },
  IOC_ERR_PAYLOAD_TOO_LARGE: { status: 413, vi: 'Dữ liệu gửi lên quá lớn', en: 'Payload too large' },
  IOC_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, vi: 'Kiểu dữ liệu không được hỗ trợ', en: 'Unsupported media type' },
  IOC_ERR_DEVICE_NOT_FOUND: { status: 404, vi: 'Không tìm thấy thiết bị', en: 'Device not found' },
  IOC_ERR_DEVICE_EXISTS: { status: 409, vi: 'Thiết bị đã tồn tại', en: 'Device already exists' },
  IOC_ERR_DEVICE_IMPORT: { status: 422, vi: 'Tệp nhập thiết bị có lỗi, không dòng nào được nhập', en: 'Device import has errors; nothing was imported' },
  IOC_ERR_INGEST_AUTH: { status: 401, vi: 'Khóa API hoặc mã thiết bị không đúng', en: 'Unknown API key or device' },
  IOC_ERR_INGEST_REJECTED: { status: 422, vi: 'Số liệu bị từ chối', en: 'Readings rejected' },
  IOC_ERR_UNAUTHENTICATED: { status: 401, vi: 'Cần đăng nhập', en: 'Authentication required' },
  IOC_ERR_AUTH_FAILED: { status: 401, vi: 'Tên đăng nhập hoặc mật khẩu không đúng', en: 'Wrong username or password' },
  IOC_ERR_AUTH_LOCKED: { status: 429, vi: 'Đăng nhập sai quá nhiều lần, vui lòng thử lại sau', en: 'Too many failed logins; try again later' },
  IOC_ERR_FORBIDDEN: { status: 403, vi: 'Không có quyền thực hiện', en: 'Not permitted' },
  IOC_ERR_CSRF: { status: 403, vi: 'Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF)', en: 'Missing or wrong CSRF token' },
  IOC_ERR_USER_NOT_FOUND: { status: 404, vi: 'Không tìm thấy người dùng', en: 'User not found' },
  IOC_ERR_USER_EXISTS: { status: 409, vi: 'Tên đăng nhập đã tồn tại', en: 'Username already exists' },
  IOC_ERR_UNIT_IN_USE: { status: 409, vi: 'Đơn vị đang có dữ liệu hoặc người dùng, chỉ có thể ngừng sử dụng', en: 'Unit has data or users; it can only be retired' },
  IOC_ERR_UNAVAILABLE: { status: 503, vi: 'Dịch vụ tạm thời không sẵn sàng', en: 'Service unavailable' },
  IOC_ERR_INTERNAL: { status: 500, vi: 'Lỗi hệ thống', en: 'Internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** One problem with one field of an input: where, and why. */
export interface FieldError {
  /** JSON-pointer-like path of the field, e.g. `attributes/2/max` or `pm25`. */
  field: string;
  /** Machine-readable reason, e.g. `out_of_range`. */
  reason: string;
  /** Human explanation (English; the reason code is the stable part). */
  message: string;
  /** Row number (1-based, header excluded) for file imports. */
  row?: number;
}

export class IocError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  constructor(code: ErrorCode, message?: string, errors: FieldError[] = []) {
    super(message ?? ERRORS[code].en);
    this.name = 'IocError';
    this.code = code;
    this.errors = errors;
  }
  get statusCode(): number {
    return ERRORS[this.code].status;
  }
}
