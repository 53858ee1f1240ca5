import { aqiBand, SEVERITIES } from '@haidang/domain';
import type { Overview } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { SeverityBadge } from '../alerts/SeverityBadge.tsx';

/** The key figures: active alerts by severity, devices online, worst AQI, rain now, rivers. */
export function KpiTiles({ overview }: { overview: Overview }) {
  const { t, lang, pick } = useI18n();
  const totalAlerts = SEVERITIES.reduce((n, s) => n + (overview.alerts[s]), 0);
  const band = overview.worstAqi ? aqiBand(overview.worstAqi.value) : undefined;
  return (
    <section className="tiles" aria-label={t('overview.title')}>
      <article className="tile" data-testid="tile-alerts">
        <h2>{t('tile.alerts')}</h2>
        <p className="figure">{totalAlerts}</p>
        <ul className="severity-counts">
          {[...SEVERITIES].reverse().map((s) => (
            <li key={s}>
              <SeverityBadge severity={s} /> {overview.alerts[s]}
            </li>
          ))}
        </ul>
        {overview.alerts.escalated > 0 && <p className="warn">{t('tile.escalated', { count: overview.alerts.escalated })}</p>}
      </article>
      <article className="tile" data-testid="tile-devices">
        <h2>{t('tile.devices')}</h2>
        <p className="figure">{t('tile.devicesOf', { online: overview.devices.online, total: overview.devices.total })}</p>
        <p className={overview.devices.offline ? 'warn' : 'muted'}>{t('tile.offline', { count: overview.devices.offline })}</p>
      </article>
      <article className="tile" data-testid="tile-aqi">
        <h2>{t('tile.worstAqi')}</h2>
        {overview.worstAqi && band ? (
          <>
            <p className="figure">
              <span className="aqi-chip" style={{ background: band.colour.hex, color: band.level >= 4 ? '#fff' : '#111' }}>
                {Math.round(overview.worstAqi.value)}
              </span>{' '}
              {pick(band.name)}
            </p>
            <p className="muted">{overview.worstAqi.name} · {formatDateTime(overview.worstAqi.ts, lang)}</p>
          </>
        ) : (
          <p className="muted">{t('tile.none')}</p>
        )}
      </article>
      <article className="tile" data-testid="tile-rain">
        <h2>{t('tile.rainNow')}</h2>
        {overview.rainNow ? (
          <>
            <p className="figure">{formatNumber(overview.rainNow.value, lang)} mm</p>
            <p className="muted">{overview.rainNow.name} · {formatDateTime(overview.rainNow.ts, lang)}</p>
          </>
        ) : (
          <p className="muted">{t('tile.none')}</p>
        )}
      </article>
      <article className="tile tile-wide" data-testid="tile-rivers">
        <h2>{t('tile.rivers')}</h2>
        {overview.rivers.length === 0 ? (
          <p className="muted">{t('tile.none')}</p>
        ) : (
          <ul className="rivers">
            {overview.rivers.map((r) => (
              <li key={r.deviceId} className={`alarm-${r.alarmLevel ?? 0}`}>
                <span>{r.name}</span>
                <span>{formatNumber(r.level, lang, 2)} m</span>
                <span className="alarm">{r.alarmLevel ? t('tile.alarm', { level: r.alarmLevel }) : t('tile.belowAlarm')}</span>
              </li>
            ))}
          </ul>
        )}
      </article>
    </section>
  );
}
