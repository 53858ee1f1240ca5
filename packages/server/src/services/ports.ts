import type { AlertEventKind, AlertState, Assignment, Device, Evidence, OrgUnitKind, Reading, Role, Rule, Sector, Severity, UnitCondition } from '@haidang/domain';

/** Ports: what the services need from storage and infrastructure. Adapters implement them. */

export interface GeoGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: unknown;
}

export interface OrgUnit {
  code: string;
  name: { vi: string; en: string };
  kind: OrgUnitKind;
  parent: string | null;
  /** Sector of a sector OC. */
  sector?: Sector | null;
  geometry?: GeoGeometry | null;
  status?: 'active' | 'retired';
  /** Retired units: the unit their records now belong to. */
  successor?: string | null;
  retiredAt?: string | null;
}

export interface OrgUnitStore {
  list(): Promise<OrgUnit[]>;
  /** Inserts the units that are missing; existing units are left as they are. */
  insertMissing(units: OrgUnit[]): Promise<number>;
  /** Inserts or replaces units (names, kind, parent, sector, geometry, status, successor), in one transaction. */
  upsert(units: OrgUnit[]): Promise<void>;
  delete(code: string): Promise<void>;
  /** Devices, users, role assignments and delegations that refer to the unit. */
  usage(code: string): Promise<{ devices: number; users: number; assignments: number; delegations: number; children: number }>;
  getSetting(key: string): Promise<unknown>;
  setSetting(key: string, value: unknown): Promise<void>;
}

// ── Identity ────────────────────────────────────────────────────────────────────────────────

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  kind: 'person' | 'service';
  unitCode: string;
  passwordHash: string | null;
  passwordChangedAt: number | null;
  failedLogins: number;
  lockedUntil: number | null;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface UserFilter {
  /** Users whose home unit is one of these; undefined = any. */
  unitCodes?: readonly string[];
  kind?: 'person' | 'service';
  /** Folded text to find in username or display name. */
  search?: string;
  limit: number;
  offset: number;
}

export interface UserStore {
  /** Inserts the user with their assignments in one transaction. */
  create(user: Omit<UserRecord, 'failedLogins' | 'lockedUntil' | 'createdAt' | 'updatedAt'>, assignments: Assignment[]): Promise<void>;
  get(id: string): Promise<UserRecord | undefined>;
  byUsername(username: string): Promise<UserRecord | undefined>;
  list(filter: UserFilter): Promise<{ items: UserRecord[]; total: number }>;
  update(id: string, patch: { displayName?: string; unitCode?: string; disabledAt?: number | null }): Promise<void>;
  setPassword(id: string, hash: string, at: number): Promise<void>;
  /** Counts a failed login at `at`; failures before `forgetBefore` no longer count. Returns the count. */
  loginFailed(id: string, at: number, forgetBefore: number): Promise<number>;
  lock(id: string, until: number): Promise<void>;
  loginSucceeded(id: string): Promise<void>;
  assignments(userIds: readonly string[]): Promise<Map<string, Assignment[]>>;
  /** Replaces the user's assignments in one transaction. */
  setAssignments(userId: string, assignments: Assignment[]): Promise<void>;
  count(): Promise<number>;
}

export interface DelegationRecord extends Assignment {
  id: string;
  grantorId: string;
  grantorName: string;
  granteeId: string;
  granteeName: string;
  validFrom: number;
  validUntil: number;
  reason: string;
  createdAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface DelegationStore {
  insert(d: Omit<DelegationRecord, 'grantorName' | 'granteeName' | 'createdAt' | 'revokedAt' | 'revokedBy'>): Promise<void>;
  get(id: string): Promise<DelegationRecord | undefined>;
  /** Delegations given by or to the user, newest first. */
  involving(userId: string): Promise<DelegationRecord[]>;
  /** Delegations received by the user that are not revoked and end after `after`. */
  receivedLive(userId: string, after: number): Promise<DelegationRecord[]>;
  revoke(id: string, by: string, at: number): Promise<boolean>;
}

export interface SessionRecord {
  id: string;
  userId: string;
  kind: 'cookie' | 'bearer';
  csrfToken: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface ApiKeyRecord {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface CredentialStore {
  createSession(s: Omit<SessionRecord, 'revokedAt' | 'lastSeenAt' | 'createdAt'> & { tokenHash: string; createdAt: number }): Promise<void>;
  sessionByTokenHash(hash: string): Promise<SessionRecord | undefined>;
  touchSession(id: string, at: number): Promise<void>;
  revokeSession(id: string, at: number): Promise<boolean>;
  revokeUserSessions(userId: string, at: number): Promise<number>;
  sessionsOf(userId: string, now: number): Promise<SessionRecord[]>;
  createApiKey(k: Omit<ApiKeyRecord, 'lastUsedAt' | 'revokedAt'> & { secretHash: string }): Promise<void>;
  apiKeyBySecretHash(hash: string): Promise<ApiKeyRecord | undefined>;
  touchApiKey(id: string, at: number): Promise<void>;
  revokeApiKey(id: string, at: number): Promise<boolean>;
  apiKeysOf(userId: string): Promise<ApiKeyRecord[]>;
}

export type { Role };

/** A device as stored: the device, the hash of its access token, and its series ids by attribute. */
export interface StoredDevice {
  device: Device;
  tokenHash: string | null;
  tokenCreatedAt: Date | null;
  tokenLastUsedAt: Date | null;
  series: Record<string, number>;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeviceFilter {
  unitCodes?: string[];
  /** The actor's scope: devices that meet any of these conditions (see domain scopeConditions). */
  scopes?: UnitCondition[];
  type?: string;
  sector?: string;
  apikey?: string;
  /** Folded search text (no diacritics, lower case) to find in the name or id. */
  search?: string;
  limit: number;
  offset: number;
}

export interface DeviceWrite {
  device: Device;
  tokenHash: string | null;
}

export interface DeviceStore {
  /**
   * Inserts (or, with upsert, replaces) the devices in one transaction: all or none. Creates a
   * series for every declared and derived attribute (domain seriesAttributes) that has none.
   */
  save(devices: DeviceWrite[], opts: { upsert: boolean }): Promise<void>;
  /** Creates the missing series of these devices' declared and derived attributes; returns how many. */
  ensureSeries(devices: readonly Device[]): Promise<number>;
  /** Ids among these that exist already. */
  existing(ids: string[]): Promise<string[]>;
  get(id: string): Promise<StoredDevice | undefined>;
  getMany(ids: string[]): Promise<StoredDevice[]>;
  list(filter: DeviceFilter): Promise<{ items: StoredDevice[]; total: number }>;
  /** Every device, for the in-memory directory used by ingestion. */
  all(): Promise<StoredDevice[]>;
  /** Sets (or, with null, revokes) the device's access token. */
  setToken(id: string, tokenHash: string | null, at: number): Promise<void>;
  touchToken(id: string, at: number): Promise<void>;
  /** Deletes the device with its series and all their data. */
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
}

/** A reading addressed by its series (one device attribute). */
export interface SeriesReading {
  seriesId: number;
  ts: number;
  value: number;
}

export type Resolution = 'raw' | '1m' | '1h';

export interface SeriesPoint {
  ts: number;
  value: number;
  /** Rollups only: number of readings, extremes and mean in the bucket. */
  count?: number;
  min?: number;
  max?: number;
  avg?: number;
}

export interface LatestValue {
  seriesId: number;
  ts: number;
  value: number;
}

export interface ReadingStore {
  /**
   * Commits the readings with their rollups and latest values, atomically. A reading already
   * stored (same series and instant) is ignored. Returns how many were new.
   */
  write(readings: SeriesReading[]): Promise<number>;
  latest(seriesIds: number[]): Promise<LatestValue[]>;
  series(seriesId: number, q: { from: number; to: number; resolution: Resolution; limit: number }): Promise<SeriesPoint[]>;
  /** Raw readings of several series in [from, to), in time order, at most `limit`. */
  raw(seriesIds: readonly number[], from: number, to: number, limit: number): Promise<SeriesReading[]>;
  /** Deletes data older than the cut-offs (ms; undefined = keep), in bounded batches. */
  purge(cutoffs: Partial<Record<Resolution, number>>): Promise<Record<Resolution, number>>;
}

export type Transport = 'mqtt' | 'http';

/** What ingestion reports to monitoring. */
export interface IngestMetrics {
  accepted(transport: Transport, readings: number): void;
  rejected(transport: Transport, reason: string): void;
  /** Seconds from reception to commit of one message or request. */
  ingestLatency(seconds: number): void;
  queueDepth(readings: number): void;
  dbLatency(op: string, seconds: number): void;
}

/** What the rule engine reports to monitoring. */
export interface AlertMetrics {
  alertWrite(kind: 'raised' | 'resolved' | 'repeat' | 'failure', n?: number): void;
}

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

/** Time as a port: services never read the wall clock themselves. */
export type Clock = () => number;

export type { Device, Reading };

// ── Audit ───────────────────────────────────────────────────────────────────────────────────

export interface AuditInput {
  actor: { id: string | null; name: string };
  /** Set when the action was allowed only by a delegation: the grantor. */
  onBehalfOf?: { id: string; name: string };
  /** Dotted action name, e.g. `device.create`, `auth.login`. */
  action: string;
  outcome?: 'success' | 'failure' | 'denied';
  unitCode?: string;
  target?: string;
  details?: Record<string, unknown>;
  ip?: string;
  userAgent?: string;
  correlationId?: string;
}

/** Where services record what was done (the audit log). */
export interface Auditor {
  record(input: AuditInput): Promise<void>;
}

// ── Early warning ───────────────────────────────────────────────────────────────────────────

export interface StoredRule {
  rule: Rule;
  /** From this instant the current version evaluates live (history before it is context only). */
  activeFrom: number;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface RuleFilter {
  /** Rules whose unit is one of these; undefined = any. */
  unitCodes?: readonly string[];
  /** The actor's scope: rules that meet any of these conditions (see domain scopeConditions). */
  scopes?: UnitCondition[];
  sector?: string;
  /** Folded text to find in the id or names. */
  search?: string;
  enabled?: boolean;
  limit: number;
  offset: number;
}

export interface RuleStore {
  list(filter: RuleFilter): Promise<{ items: StoredRule[]; total: number }>;
  get(id: string): Promise<StoredRule | undefined>;
  /** One saved version of a rule (alerts cite the version that raised them). */
  version(id: string, version: number): Promise<{ rule: Rule; activeFrom: number; createdBy: string | null } | undefined>;
  versions(id: string): Promise<{ version: number; activeFrom: number; createdBy: string | null }[]>;
  /**
   * Saves `rule` as a new rule (version 1) or as the next version, in one transaction; with
   * `expectedVersion`, fails with IOC_ERR_CONFLICT when the stored version differs (lost update).
   */
  save(rule: Rule, opts: { activeFrom: number; by: string | null; expectedVersion?: number }): Promise<void>;
  /** Soft delete: the rule stops; its alerts and versions stay. */
  delete(id: string, at: number): Promise<boolean>;
  /** Every enabled, not deleted rule, for the engine. */
  active(): Promise<StoredRule[]>;
}

/** What the rule engine asks of maintenance windows. */
export interface MaintenanceCalendar {
  /** true while a window covers the device, or a unit whose subtree holds `unitCode`, at `ts`. */
  suppressed(deviceId: string | null, unitCode: string, ts: number): boolean;
}

export interface AlertRecord {
  id: string;
  ruleId: string;
  ruleVersion: number;
  /** `device:<id>` or `area:<unitCode>`. */
  subject: string;
  deviceId: string | null;
  unitCode: string;
  sector: Sector | null;
  ownerUnit: string;
  state: AlertState;
  severity: Severity;
  title: { vi: string; en: string };
  openedAt: number;
  /** Instants of the first and the latest reading of the episode (event time). */
  firstTs: number;
  lastTs: number;
  count: number;
  firstValue: number | null;
  lastValue: number | null;
  peakValue: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  assignee: string | null;
  escalatedAt: number | null;
  escalatedTo: string | null;
  resolvedAt: number | null;
  closedAt: number | null;
  closedBy: string | null;
  /** Instant of the reading that cleared the condition; null while it holds. */
  clearedTs: number | null;
  reopenCount: number;
  evidence: Evidence;
  updatedAt: number;
}

export interface AlertEventRecord {
  id: string;
  alertId: string;
  at: number;
  kind: AlertEventKind;
  actorId: string | null;
  actor: string | null;
  data: Record<string, unknown>;
}

/** A raise as the engine asks for it. */
export interface RaiseInput {
  ruleId: string;
  ruleVersion: number;
  subject: string;
  deviceId: string | null;
  unitCode: string;
  sector: Sector | null;
  ownerUnit: string;
  severity: Severity;
  title: { vi: string; en: string };
  ts: number;
  value: number | null;
  /** The value's alarming direction (for the peak). */
  upward: boolean;
  evidence: Evidence;
  reopenMs: number;
}

export interface RepeatInput {
  ruleId: string;
  subject: string;
  count: number;
  ts: number;
  value: number | null;
  peak: number | null;
  upward: boolean;
  severity: Severity;
}

export interface AlertFilter {
  /** The caller's scope (see domain scopeConditions); undefined = everything. */
  scopes?: UnitCondition[];
  unitCodes?: readonly string[];
  sector?: Sector;
  states?: readonly AlertState[];
  severities?: readonly Severity[];
  ruleId?: string;
  deviceId?: string;
  escalated?: boolean;
  from?: number;
  to?: number;
  limit: number;
  offset: number;
}

/** Active alerts (open or acknowledged) counted per device and severity: the map's and the overview's one query. */
export interface ActiveAlertCount {
  /** null: alerts on an area (`area:<unit>`), not on a device. */
  deviceId: string | null;
  /** Where the alerts are (their unit code). */
  unitCode: string;
  severity: Severity;
  count: number;
  /** How many of them have escalated. */
  escalated: number;
}

/** What one change did: the alert after it and the timeline events it wrote. */
export interface AlertChange {
  alert: AlertRecord;
  events: AlertEventRecord[];
}

export interface AlertStore {
  /**
   * Opens an alert for the rule and subject, reopens its resolved one (within `reopenMs`), or —
   * when one is active already (another reading, another node) — counts this as a repeat. One
   * transaction; the unique index on active alerts decides races.
   */
  raise(input: RaiseInput, now: number): Promise<AlertChange>;
  /** Repeats of many subjects in one statement (a batch's worth); severity raises become events. */
  repeatMany(inputs: readonly RepeatInput[], now: number): Promise<AlertChange[]>;
  /** The condition cleared: resolves the active alert (or marks a closed one's episode over). */
  clear(ruleId: string, subject: string, ts: number, value: number | null, now: number): Promise<AlertChange | undefined>;
  /** Per subject, the latest alert of the rule: whether its episode still holds, and the newest instant it reflects. */
  episodes(ruleId: string): Promise<Map<string, { holding: boolean; watermark: number }>>;
  get(id: string): Promise<AlertRecord | undefined>;
  list(filter: AlertFilter): Promise<{ items: AlertRecord[]; total: number }>;
  timeline(alertId: string): Promise<AlertEventRecord[]>;
  /** Events after `afterId`, oldest first, at most `limit`, with their alerts' places (scope checks). */
  eventsSince(afterId: string, limit: number): Promise<{ event: AlertEventRecord; alert: AlertRecord }[]>;
  /** An operator action in one transaction; `check` refuses it from the current state (throws). */
  act(
    id: string,
    kind: 'acknowledged' | 'assigned' | 'commented' | 'closed',
    actor: { id: string; name: string },
    data: { note?: string; assignee?: string | null },
    now: number,
    check: (current: AlertRecord) => void,
  ): Promise<AlertChange>;
  /** Marks an open alert escalated to `to`, unless it changed meanwhile. */
  escalate(id: string, from: string | null, to: string, now: number): Promise<AlertChange | undefined>;
  /** Open (unacknowledged) alerts, for the escalation sweep. */
  unacknowledged(): Promise<AlertRecord[]>;
  /** Active alerts in the scope (undefined: everywhere), counted per device and severity, in one query. */
  activeCounts(scopes?: readonly UnitCondition[]): Promise<ActiveAlertCount[]>;
}

/** One file of a built web application. */
export interface StaticAsset {
  body: Buffer;
  /** Content-Type. */
  type: string;
  etag: string;
}

/** A built web application (the operator console): files by their path inside it (`assets/x.js`). */
export interface StaticAssets {
  get(path: string): StaticAsset | undefined;
  size: number;
}
