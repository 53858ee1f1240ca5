import { useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { AlertView, AreaGeometry, ConsoleConfig, FeatureCollection, MapDeviceProps, MapUnitProps, Overview, PointGeometry } from '../api/types.ts';
import { useLiveRefresh } from '../alerts/useLiveRefresh.ts';
import { SeverityBadge } from '../alerts/SeverityBadge.tsx';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime } from '../shared/format.ts';
import { navigate } from '../shared/route.ts';
import { useAsync } from '../shared/useAsync.ts';
import { CityMap } from './CityMap.tsx';
import { KpiTiles } from './KpiTiles.tsx';
import { type ColourBy, legendOf } from './map-colours.ts';

/** Refresh of the figures and device states when nothing else prompts it. */
const REFRESH_MS = 15_000;

/** The overview: the city map, the key figures and the active alerts, for one unit or the whole scope. */
export function OverviewPage({ unit }: { unit: string | undefined }) {
  const { t, pick, lang } = useI18n();
  const session = useSession();
  const [colourBy, setColourBy] = useState<ColourBy>('state');
  const config = useAsync((signal) => api<ConsoleConfig>('GET', '/console/config.json', undefined, { signal }), []);
  const units = useAsync((signal) => api<FeatureCollection<AreaGeometry, MapUnitProps>>('GET', '/api/v1/map/units', undefined, { signal }), []);
  const live = useAsync(
    async (signal) => {
      const [devices, overview, alerts] = await Promise.all([
        api<FeatureCollection<PointGeometry, MapDeviceProps>>('GET', withQuery('/api/v1/map/devices', { unit }), undefined, { signal }),
        api<Overview>('GET', withQuery('/api/v1/overview', { unit }), undefined, { signal }),
        api<{ items: AlertView[]; total: number }>('GET', withQuery('/api/v1/alerts', { state: 'active', unit, limit: 8 }), undefined, { signal }),
      ]);
      return { devices, overview, alerts };
    },
    [unit],
  );
  // New alert events refresh the map and figures; so does a quiet 15 s.
  useLiveRefresh(live.reload, { debounceMs: 250, everyMs: REFRESH_MS });

  const unitName = unit ? pick(session.unitsByCode.get(unit)?.name) || unit : undefined;
  const error = config.error ?? units.error ?? live.error;
  return (
    <div className="overview">
      <header className="view-header">
        <h1>{t('overview.title')}</h1>
        <p className="scope-line">
          {unitName ? t('overview.filteredTo', { unit: unitName }) : t('overview.allCity')}
          {unit && (
            <button type="button" className="link" onClick={() => navigate({ view: 'overview' })}>
              {t('overview.showAll')}
            </button>
          )}
        </p>
        <label className="inline">
          {t('overview.colourBy')}{' '}
          <select value={colourBy} onChange={(e) => setColourBy(e.target.value as ColourBy)}>
            <option value="state">{t('overview.colour.state')}</option>
            <option value="value">{t('overview.colour.value')}</option>
          </select>
        </label>
      </header>
      {error && (
        <p className="error" role="alert">
          {t('app.error', { message: error.message })}{' '}
          <button type="button" onClick={live.reload}>
            {t('app.retry')}
          </button>
        </p>
      )}
      {live.data && <KpiTiles overview={live.data.overview} />}
      <div className="overview-body">
        <div className="map-panel">
          {config.data && units.data && live.data ? (
            <>
              <CityMap units={units.data} devices={live.data.devices} selectedUnit={unit} colourBy={colourBy} config={config.data} onSelectUnit={(code) => navigate({ view: 'overview', unit: code })} />
              <p className="muted map-count">{t('overview.devicesShown', { count: live.data.devices.features.length })}</p>
              <Legend by={colourBy} />
            </>
          ) : (
            <p role="status">{t('app.loading')}</p>
          )}
        </div>
        <aside className="side-panel" aria-label={t('overview.activeAlerts')}>
          <h2>
            <a href="#/alerts">{t('overview.activeAlerts')}</a> {live.data ? `(${live.data.alerts.total})` : ''}
          </h2>
          <ul className="mini-alerts">
            {live.data?.alerts.items.map((a) => (
              <li key={a.id}>
                <a href={`#/alerts/${encodeURIComponent(a.id)}`}>
                  <SeverityBadge severity={a.severity} /> <span>{pick(a.title)}</span>
                </a>
                <small className="muted">{formatDateTime(a.lastTs, lang)}</small>
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </div>
  );
}

function Legend({ by }: { by: ColourBy }) {
  const { t, pick } = useI18n();
  return (
    <section className="legend" aria-label={t('overview.legend')}>
      {legendOf(by).map((group, i) => (
        <div key={i} className="legend-group">
          {group.title && <strong>{pick(group.title)}</strong>}
          <ul>
            {group.entries.map((e, j) => (
              <li key={j}>
                <span className="swatch" style={{ background: e.colour }} aria-hidden="true" />
                {typeof e.label === 'string' ? t(e.label) : pick(e.label)}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
