import { ALERT_STATE_NAMES, DEVICE_TYPES } from '@haidang/domain';
import { useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { AlertView, DeviceView } from '../api/types.ts';
import { SeverityBadge } from '../alerts/SeverityBadge.tsx';
import { useAlertEvents } from '../alerts/AlertStream.tsx';
import { allows } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { LineChart } from '../shared/LineChart.tsx';
import { useAsync } from '../shared/useAsync.ts';
import { chartPoints, RANGES, type RangeId, type Resolution, type SeriesPoint, seriesQuery } from './series-range.ts';

interface Latest {
  values: Record<string, { value: number; ts: string; unit: string }>;
}

/** One device: what and where it is, its latest and derived values, a chart, and its alert history. */
export function DeviceDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, pick, lang } = useI18n();
  const session = useSession();
  const device = useAsync(
    async (signal) => {
      const [d, latest] = await Promise.all([
        api<DeviceView>('GET', `/api/v1/devices/${encodeURIComponent(id)}`, undefined, { signal }),
        api<{ items: Latest[] }>('GET', withQuery('/api/v1/latest', { device: id }), undefined, { signal }),
      ]);
      return { d, values: latest.items[0]?.values ?? {} };
    },
    [id],
  );
  const history = useAsync((signal) => api<{ items: AlertView[]; total: number }>('GET', withQuery('/api/v1/alerts', { device: id, limit: 20 }), undefined, { signal }), [id]);
  useAlertEvents((e) => {
    if (e.alert.deviceId === id) history.reload();
  });
  if (device.error) {
    return (
      <p className="error" role="alert">
        {t('app.error', { message: device.error.message })}
      </p>
    );
  }
  if (!device.data) return <p role="status">{t('app.loading')}</p>;
  const { d, values } = device.data;
  const row = (a: { name: string; unit: string }) => {
    const v = values[a.name];
    return (
      <tr key={a.name}>
        <th scope="row">{a.name}</th>
        <td>{v ? `${formatNumber(v.value, lang, 2)} ${a.unit}` : <span className="muted">{t('device.noValue')}</span>}</td>
        <td>{v ? formatDateTime(v.ts, lang) : ''}</td>
      </tr>
    );
  };
  return (
    <article className="device-detail" aria-labelledby="device-title" data-device-id={d.id}>
      <header>
        <h2 id="device-title">{d.name}</h2>
        <button type="button" className="link" onClick={onClose} aria-label={t('alerts.close')}>
          ×
        </button>
      </header>
      <dl className="facts">
        <dt>ID</dt>
        <dd>
          <code>{d.id}</code>
        </dd>
        <dt>{t('devices.type')}</dt>
        <dd>{pick(DEVICE_TYPES[d.type]?.name) || d.type}</dd>
        <dt>{t('device.unit')}</dt>
        <dd>{pick(session.unitsByCode.get(d.unitCode)?.name) || d.unitCode}</dd>
        <dt>{t('device.sector')}</dt>
        <dd>{d.sector}</dd>
        <dt>{t('device.location')}</dt>
        <dd>
          {formatNumber(d.location.lat, lang, 5)}, {formatNumber(d.location.lon, lang, 5)}
        </dd>
      </dl>
      <h3>{t('device.values')}</h3>
      <table className="values">
        <thead>
          <tr>
            <th scope="col">{t('device.attribute')}</th>
            <th scope="col">{t('device.value')}</th>
            <th scope="col">{t('device.at')}</th>
          </tr>
        </thead>
        <tbody>{d.attributes.map(row)}</tbody>
      </table>
      {d.derived.length > 0 && (
        <>
          <h3>{t('device.derived')}</h3>
          <table className="values">
            <tbody>{d.derived.map(row)}</tbody>
          </table>
        </>
      )}
      <SeriesChart device={d} />
      <section aria-label={t('device.history')}>
        <h3>{t('device.history')}</h3>
        {history.data?.items.length === 0 && <p className="muted">{t('device.noHistory')}</p>}
        <ul className="mini-alerts">
          {history.data?.items.map((a) => (
            <li key={a.id}>
              <a href={`#/alerts/${encodeURIComponent(a.id)}`}>
                <SeverityBadge severity={a.severity} /> {pick(a.title)}
              </a>
              <small className="muted">
                {' '}
                {pick(ALERT_STATE_NAMES[a.state])} · {formatDateTime(a.openedAt, lang)}
                {a.resolvedAt ? ` → ${formatDateTime(a.resolvedAt, lang)}` : ''}
              </small>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}

/** A chart of one attribute (measured or derived) over a chosen range, raw or rolled up. */
function SeriesChart({ device }: { device: DeviceView }) {
  const { t } = useI18n();
  const session = useSession();
  const mayExport = allows(session.grants, session.tree, 'data.export', device);
  const attrs = [...device.attributes, ...device.derived];
  const [attr, setAttr] = useState(attrs[0]?.name ?? '');
  const [range, setRange] = useState<RangeId>('24h');
  const [resolution, setResolution] = useState<Resolution>('1m');
  const series = useAsync(
    (signal) => {
      const q = seriesQuery(range, resolution, Date.now());
      return api<{ unit: string; resolution: Resolution; points: SeriesPoint[] }>('GET', withQuery(`/api/v1/devices/${encodeURIComponent(device.id)}/series/${encodeURIComponent(attr)}`, q), undefined, { signal });
    },
    [device.id, attr, range, resolution],
  );
  if (!attr) return null;
  return (
    <section className="device-chart" aria-label={t('device.chart')}>
      <h3>{t('device.chart')}</h3>
      <div className="filters compact">
        <label>
          {t('device.attribute')}
          <select name="attr" value={attr} onChange={(e) => setAttr(e.target.value)}>
            {attrs.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name} ({a.unit})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('device.range')}
          <select name="range" value={range} onChange={(e) => setRange(e.target.value as RangeId)}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {t(`device.range.${r.id}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('device.resolution')}
          <select name="resolution" value={resolution} onChange={(e) => setResolution(e.target.value as Resolution)}>
            {(['raw', '1m', '1h'] as const).map((r) => (
              <option key={r} value={r}>
                {t(`device.resolution.${r}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {series.error && (
        <p className="error" role="alert">
          {t('app.error', { message: series.error.message })}
        </p>
      )}
      {series.loading && !series.data && <p role="status">{t('app.loading')}</p>}
      {series.data && (
        <>
          <LineChart points={chartPoints(series.data.points)} unit={series.data.unit} label={`${device.name} · ${attr}`} />
          <p className="muted">
            {t('device.points', { count: series.data.points.length, resolution: t(`device.resolution.${series.data.resolution}`) })}
            {mayExport && (
              <>
                {' · '}
                {/* A plain download: the browser shows its progress; every export is audited by the IOC. */}
                <a href={withQuery(`/api/v1/devices/${encodeURIComponent(device.id)}/series/${encodeURIComponent(attr)}/export`, { ...seriesQuery(range, resolution, Date.now()), limit: undefined })} download>
                  {t('device.export')}
                </a>
              </>
            )}
          </p>
        </>
      )}
    </section>
  );
}
