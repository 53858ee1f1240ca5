import type { Grant, Role, Sector, Severity } from '@haidang/domain';

export interface Bilingual {
  vi: string;
  en: string;
}

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  unitCode: string;
  kind: string;
}

export interface SessionView {
  user: UserView;
  grants: Grant[];
  csrfToken: string | null;
  expiresAt: string | null;
}

export interface UnitView {
  code: string;
  name: Bilingual;
  kind: string;
  parent: string | null;
  sector: string | null;
  status: 'active' | 'retired';
  successor: string | null;
  hasGeometry: boolean;
}

export type AlertStateName = 'open' | 'acknowledged' | 'resolved' | 'closed';

export interface LeafEvidence {
  leaf: number;
  deviceId: string;
  attr: string;
  holds: boolean;
  value?: number;
  baseline?: { median: number; scale: number };
  readings: { ts: number; value: number }[];
}

export interface EvidenceView {
  ruleId: string;
  ruleVersion: number;
  condition: unknown;
  ts: number;
  leaves: LeafEvidence[];
}

export interface AlertView {
  id: string;
  ruleId: string;
  ruleVersion: number;
  subject: string;
  deviceId: string | null;
  unitCode: string;
  sector: string | null;
  ownerUnit: string;
  state: AlertStateName;
  severity: Severity;
  title: Bilingual;
  openedAt: string;
  firstTs: string;
  lastTs: string;
  count: number;
  firstValue: number | null;
  lastValue: number | null;
  peakValue: number | null;
  ackedAt: string | null;
  ackedBy: string | null;
  assignee: string | null;
  escalated: boolean;
  escalatedTo: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  closedBy: string | null;
  reopenCount: number;
  evidence: EvidenceView | null;
  updatedAt: string;
}

export interface AlertEventView {
  id: string;
  alertId: string;
  at: string;
  kind: string;
  actor: string | null;
  data: Record<string, unknown>;
}

export type DeviceState = 'ok' | 'warning' | 'alert' | 'offline';

export interface MapDeviceProps {
  id: string;
  name: string;
  type: string;
  unitCode: string;
  sector: string | null;
  state: DeviceState;
  severity: Severity | null;
  activeAlerts: number;
  values: Record<string, { value: number; ts: string; unit: string }>;
}

export interface Feature<G, P> {
  type: 'Feature';
  id?: string | number;
  geometry: G;
  properties: P;
}

export interface FeatureCollection<G, P> {
  type: 'FeatureCollection';
  features: Feature<G, P>[];
}

export type PointGeometry = { type: 'Point'; coordinates: [number, number] };
export type AreaGeometry = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface MapUnitProps {
  code: string;
  name: Bilingual;
  kind: string;
  parent: string | null;
}

export interface Overview {
  alerts: Record<Severity, number> & { escalated: number };
  devices: { total: number; online: number; offline: number; inAlert: number };
  worstAqi: { deviceId: string; name: string; value: number; ts: string } | null;
  rainNow: { deviceId: string; name: string; value: number; ts: string } | null;
  rivers: { deviceId: string; name: string; level: number | null; alarmLevel: number | null; ts: string | null }[];
}

export interface ConsoleConfig {
  /** An XYZ raster tile URL template for a base map, when one exists (IOC_MAP_TILE_URL). */
  tileUrl: string | null;
  tileAttribution: string | null;
}

export interface AttributeView {
  name: string;
  unit: string;
  min: number;
  max: number;
  periodS: number;
}

export interface DeviceView {
  id: string;
  type: string;
  name: string;
  location: { lat: number; lon: number };
  unitCode: string;
  sector: string;
  apikey: string;
  attributes: AttributeView[];
  derived: AttributeView[];
  hasAccessToken: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A user as administrators see it (GET /api/v1/users). */
export interface AdminUserView {
  id: string;
  username: string;
  displayName: string;
  kind: 'person' | 'service';
  unitCode: string;
  assignments: { role: Role; unitCode: string; sector: Sector | null }[];
  disabled: boolean;
  locked: boolean;
  createdAt: string;
  updatedAt: string;
}

/** An API key of a service account: never the key itself. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A key just issued: `key` is in this answer only. */
export interface IssuedApiKey {
  id: string;
  key: string;
  prefix: string;
  createdAt: string;
}

export type DelegationStatusName = 'scheduled' | 'active' | 'expired' | 'revoked';

export interface DelegationView {
  id: string;
  grantorId: string;
  grantorName: string;
  granteeId: string;
  granteeName: string;
  role: Role;
  unitCode: string;
  sector: string | null;
  validFrom: string;
  validUntil: string;
  reason: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  status: DelegationStatusName;
}

/** An audit log entry as the API gives it: the domain's entry (content and its two hash links). */
export type { AuditEntry as AuditEntryView } from '@haidang/domain';

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBroken?: { seq: number; reason: string };
}
