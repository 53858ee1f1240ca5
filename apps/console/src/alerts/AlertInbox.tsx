import { ALERT_STATE_NAMES, SECTORS, SEVERITIES, type Severity, SEVERITY_NAMES } from '@haidang/domain';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { AlertView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatAgo, formatDateTime } from '../shared/format.ts';
import { navigate } from '../shared/route.ts';
import { AlertDetail } from './AlertDetail.tsx';
import { useAlertEvents } from './AlertStream.tsx';
import { type AlertFilter, applyLiveAlert, DEFAULT_FILTER, filterQuery, type StateFilter } from './alert-filters.ts';
import { SeverityBadge } from './SeverityBadge.tsx';

const PAGE = 50;
const STATES: StateFilter[] = ['active', 'open', 'acknowledged', 'resolved', 'closed', 'all'];

/** The alert inbox: filters, a live list (paginated), and the selected alert's detail. */
export function AlertInbox({ selectedId }: { selectedId: string | undefined }) {
  const { t, pick, lang } = useI18n();
  const session = useSession();
  const [filter, setFilter] = useState<AlertFilter>(DEFAULT_FILTER);
  const [{ items, total }, setList] = useState<{ items: AlertView[]; total: number }>({ items: [], total: 0 });
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [now, setNow] = useState(Date.now());
  // Bumped by every live event: the open detail reloads its timeline.
  const [version, setVersion] = useState(0);

  // Live events that arrive while a page is loading are applied to it once it is in: the answer
  // may have been read before them, and must not hide a new alert.
  const arrivedDuringLoad = useRef<AlertView[] | null>(null);
  const load = useCallback(
    async (offset: number) => {
      setLoading(true);
      arrivedDuringLoad.current = [];
      try {
        const r = await api<{ items: AlertView[]; total: number }>('GET', withQuery('/api/v1/alerts', { ...filterQuery(filter), limit: PAGE, offset }));
        const arrived = arrivedDuringLoad.current ?? [];
        setList((prev) => {
          let items = offset === 0 ? r.items : [...prev.items, ...r.items.filter((a) => !prev.items.some((p) => p.id === a.id))];
          let total = r.total;
          for (const a of arrived) {
            const fresh = r.items.find((x) => x.id === a.id);
            // The page already has this alert as fresh as the event (or fresher): nothing to apply.
            if (fresh && fresh.updatedAt >= a.updatedAt) continue;
            const applied = applyLiveAlert(items, a, filter, session.tree);
            items = applied.items;
            total = Math.max(0, total + (fresh ? 0 : applied.totalDelta));
          }
          return { items, total };
        });
        setError(null);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        arrivedDuringLoad.current = null;
        setLoading(false);
      }
    },
    [filter, session.tree],
  );
  useEffect(() => void load(0), [load]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  const { connected } = useAlertEvents(({ alert }) => {
    arrivedDuringLoad.current?.push(alert);
    setList((prev) => {
      const r = applyLiveAlert(prev.items, alert, filter, session.tree);
      return { items: r.items, total: Math.max(0, prev.total + r.totalDelta) };
    });
    if (alert.id === selectedId) setVersion((v) => v + 1);
  });

  const set = (patch: Partial<AlertFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const toggleSeverity = (s: Severity) => set({ severities: filter.severities.includes(s) ? filter.severities.filter((x) => x !== s) : [...filter.severities, s] });

  return (
    <div className="inbox">
      <header className="view-header">
        <h1>{t('alerts.title')}</h1>
        <span className={`live-dot ${connected ? 'on' : 'off'}`} role="status">
          {connected ? t('app.live') : t('app.reconnecting')}
        </span>
      </header>
      <form className="filters" aria-label={t('alerts.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('alerts.state')}
          <select name="state" value={filter.state} onChange={(e) => set({ state: e.target.value as StateFilter })}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s === 'active' || s === 'all' ? t(`alertState.${s}`) : pick(ALERT_STATE_NAMES[s])}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('alerts.severity')}</legend>
          {SEVERITIES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" name={`severity-${s}`} checked={filter.severities.includes(s)} onChange={() => toggleSeverity(s)} />
              {pick(SEVERITY_NAMES[s])}
            </label>
          ))}
        </fieldset>
        <label>
          {t('alerts.unit')}
          <select name="unit" value={filter.unit ?? ''} onChange={(e) => set({ unit: e.target.value || undefined })}>
            <option value="">{t('alerts.any')}</option>
            {session.areas.map((u) => (
              <option key={u.code} value={u.code}>
                {pick(u.name)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alerts.sector')}
          <select name="sector" value={filter.sector ?? ''} onChange={(e) => set({ sector: e.target.value || undefined })}>
            <option value="">{t('alerts.any')}</option>
            {SECTORS.map((s) => (
              <option key={s} value={s}>
                {pick(session.units.find((u) => u.kind === 'sector_oc' && u.sector === s)?.name) || s}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" name="escalated" checked={filter.escalated} onChange={(e) => set({ escalated: e.target.checked })} />
          {t('alerts.escalatedOnly')}
        </label>
      </form>
      {error && (
        <p className="error" role="alert">
          {t('app.error', { message: error })}
        </p>
      )}
      <div className="inbox-body">
        <section className="alert-list" aria-label={t('alerts.title')}>
          <p className="muted">{t('alerts.count', { shown: items.length, total })}</p>
          {!loading && items.length === 0 && <p className="muted">{t('alerts.empty')}</p>}
          <ul>
            {items.map((a) => (
              <li key={a.id} className={`alert-row state-${a.state}${a.id === selectedId ? ' selected' : ''}`} data-alert-id={a.id}>
                <a href={`#/alerts/${encodeURIComponent(a.id)}`} aria-current={a.id === selectedId ? 'true' : undefined}>
                  <SeverityBadge severity={a.severity} />
                  <span className="title">{pick(a.title)}</span>
                  <span className="meta">
                    {pick(ALERT_STATE_NAMES[a.state])} · {t('alerts.repeats', { count: a.count })} · <time dateTime={a.lastTs} title={formatDateTime(a.lastTs, lang)}>{formatAgo(a.lastTs, now, lang)}</time>
                    {a.escalated && <span className="badge escalated">{t('alerts.escalated')}</span>}
                  </span>
                </a>
              </li>
            ))}
          </ul>
          {items.length < total && (
            <button type="button" disabled={loading} onClick={() => void load(items.length)}>
              {t('alerts.more')}
            </button>
          )}
        </section>
        <section className="alert-detail-panel">
          {selectedId ? <AlertDetail id={selectedId} version={version} onClose={() => navigate({ view: 'alerts' })} /> : <p className="muted">{t('alerts.select')}</p>}
        </section>
      </div>
    </div>
  );
}
