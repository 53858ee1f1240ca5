import { SEVERITY_NAMES } from '@haidang/domain';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.ts';
import type { AlertView, AreaGeometry, ConsoleConfig, FeatureCollection, MapDeviceProps, MapUnitProps, Overview, PointGeometry } from '../api/types.ts';
import { useLiveRefresh } from '../alerts/useLiveRefresh.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { CityMap } from '../overview/CityMap.tsx';
import { KpiTiles } from '../overview/KpiTiles.tsx';
import { CITY_TIME_ZONE, formatDateTime, formatNumber } from '../shared/format.ts';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import { navigate } from '../shared/route.ts';
import { useAsync } from '../shared/useAsync.ts';
import { airBoard, nextPanel, ranked, WALL_PANELS, type WallPanel, wallAlerts, wallInterval } from './wall-data.ts';

const REFRESH_MS = 15_000;

/** The IOC's screen wall: full screen, panels rotating on their own, live; no interaction needed. */
export function VideoWall() {
  const { t, lang } = useI18n();
  const [panel, setPanel] = useState<WallPanel>('map');
  const [paused, setPaused] = useState(false);
  const [now, setNow] = useState(Date.now());
  const interval = wallInterval(location.hash.split('?')[1] ?? '');
  const config = useAsync((signal) => api<ConsoleConfig>('GET', '/console/config.json', undefined, { signal }), []);
  const units = useAsync((signal) => api<FeatureCollection<AreaGeometry, MapUnitProps>>('GET', '/api/v1/map/units', undefined, { signal }), []);
  const live = useAsync(async (signal) => {
    const [devices, overview, alerts] = await Promise.all([
      api<FeatureCollection<PointGeometry, MapDeviceProps>>('GET', '/api/v1/map/devices', undefined, { signal }),
      api<Overview>('GET', '/api/v1/overview', undefined, { signal }),
      api<{ items: AlertView[]; total: number }>('GET', '/api/v1/alerts?state=active&limit=100', undefined, { signal }),
    ]);
    return { devices, overview, alerts };
  }, []);
  useLiveRefresh(live.reload, { debounceMs: 500, everyMs: REFRESH_MS });
  useEffect(() => {
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(clock);
  }, []);
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => setPanel((p) => nextPanel(p)), interval * 1000);
    return () => clearTimeout(timer);
  }, [panel, paused, interval]);
  const onKey = useCallback((e: KeyboardEvent) => {
    if (e.key === 'ArrowRight') setPanel((p) => nextPanel(p));
    else if (e.key === 'ArrowLeft') setPanel((p) => nextPanel(p, -1));
    else if (e.key === ' ') {
      e.preventDefault();
      setPaused((x) => !x);
    }
    else if (e.key === 'Escape' && !document.fullscreenElement) navigate({ view: 'overview' });
  }, []);
  useEffect(() => {
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onKey]);

  const clock = new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: CITY_TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' }).format(now);
  const d = live.data;
  return (
    <div className="wall" data-panel={panel}>
      <header className="wall-bar">
        <strong>{t('wall.title')}</strong>
        <span className="wall-panel-name">{t(`wall.panel.${panel}` as MessageKey)}</span>
        <ol className="wall-dots" aria-label={t('wall.help')}>
          {WALL_PANELS.map((p) => (
            <li key={p}>
              <button type="button" aria-current={p === panel ? 'true' : undefined} aria-label={t(`wall.panel.${p}` as MessageKey)} onClick={() => setPanel(p)} />
            </li>
          ))}
        </ol>
        <time className="wall-clock">{clock}</time>
        <button type="button" onClick={() => setPaused((x) => !x)}>{paused ? t('wall.resume') : t('wall.pause')}</button>
        <button type="button" onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}>{t('wall.fullscreen')}</button>
        <LanguageSwitch />
        <a href="#/overview" className="wall-exit">{t('wall.exit')}</a>
      </header>
      <main className="wall-body">
        {!d ? (
          <p role="status">{t('app.loading')}</p>
        ) : panel === 'map' ? (
          <div className="wall-map">
            <KpiTiles overview={d.overview} />
            {config.data && units.data && <CityMap units={units.data} devices={d.devices} selectedUnit={undefined} colourBy="state" config={config.data} onSelectUnit={() => undefined} />}
          </div>
        ) : panel === 'alerts' ? (
          <section className="wall-alerts">
            {d.alerts.items.length === 0 && <p className="wall-calm">{t('wall.noAlerts')}</p>}
            <ul>
              {wallAlerts(d.alerts.items).map((a) => (
                <li key={a.id} data-severity={a.severity}>
                  <span className={`sev badge sev-${a.severity}`}>{SEVERITY_NAMES[a.severity][lang]}</span>
                  <span className="title">{a.title[lang]}</span>
                  <span className="when">{formatDateTime(a.lastTs, lang)}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : panel === 'water' ? (
          <section className="wall-water">
            <div>
              <h2>{t('tile.rivers')}</h2>
              <ul className="wall-rivers">
                {d.overview.rivers.map((r) => (
                  <li key={r.deviceId} className={`alarm-${r.alarmLevel ?? 0}`}>
                    <span>{r.name}</span>
                    <strong>{formatNumber(r.level, lang, 2)} m</strong>
                    <span className="alarm">{r.alarmLevel ? t('tile.alarm', { level: r.alarmLevel }) : t('tile.belowAlarm')}</span>
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <h2>{t('wall.topRain')}</h2>
              <ol className="wall-rain">
                {ranked(d.devices, 'rain_gauge', 'rain_1h').map((r) => (
                  <li key={r.id}>
                    <span>{r.name}</span>
                    <strong>{formatNumber(r.value, lang)} mm</strong>
                  </li>
                ))}
              </ol>
            </div>
          </section>
        ) : (
          <section className="wall-air">
            {airBoard(d.devices).map((s) => (
              <div key={s.id} className="aqi-cell" style={{ background: s.colour, color: s.textColour }}>
                <strong>{Math.round(s.value)}</strong>
                <span>{s.name}</span>
                <small>{s.band?.[lang]}</small>
              </div>
            ))}
          </section>
        )}
      </main>
    </div>
  );
}
