import { useEffect, useRef, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { Severity } from '@haidang/domain';
import { SeverityBadge } from '../alerts/SeverityBadge.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import type { RuleDraft } from './rule-form.ts';

interface Episode {
  subject: { key: string };
  raisedAt: string;
  clearedAt: string | null;
  peakValue: number | null;
  count: number;
  severity: Severity;
}

interface BacktestAnswer {
  subjects: number;
  readings: number;
  total: number;
  truncated?: boolean;
  episodes: Episode[];
}

/** Runs a draft over stored history before it is saved: what it would have raised. Cancellable, with elapsed time. */
export function BacktestPanel({ draft, disabled }: { draft: RuleDraft; disabled: boolean }) {
  const { t, lang } = useI18n();
  const [days, setDays] = useState(7);
  const [running, setRunning] = useState<{ started: number; ac: AbortController } | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [answer, setAnswer] = useState<BacktestAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef(running);
  current.current = running;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setElapsed(Math.round((Date.now() - running.started) / 1000)), 500);
    return () => clearInterval(timer);
  }, [running]);
  useEffect(() => () => current.current?.ac.abort(), []);
  const run = async () => {
    const ac = new AbortController();
    setRunning({ started: Date.now(), ac });
    setElapsed(0);
    setError(null);
    setAnswer(null);
    try {
      const to = new Date();
      const from = new Date(to.getTime() - days * 86_400_000);
      const { id: _id, ...rule } = draft;
      setAnswer(await api<BacktestAnswer>('POST', '/api/v1/rules/backtest', { rule, from: from.toISOString(), to: to.toISOString() }, { signal: ac.signal }));
    } catch (e) {
      if (!ac.signal.aborted) setError(errorText(e));
    } finally {
      setRunning(null);
    }
  };
  return (
    <section className="backtest" aria-label={t('backtest.title')}>
      <h3>{t('backtest.title')}</h3>
      <div className="filters compact">
        <label>
          {t('backtest.days')}
          <select name="days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {[1, 7, 14, 31].map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        {running ? (
          <button type="button" onClick={() => running.ac.abort()}>
            {t('backtest.cancel')}
          </button>
        ) : (
          <button type="button" onClick={() => void run()} disabled={disabled}>
            {t('backtest.run')}
          </button>
        )}
      </div>
      {running && (
        <div role="status" className="progress">
          <progress aria-label={t('backtest.running', { seconds: elapsed })} />
          <span>{t('backtest.running', { seconds: elapsed })}</span>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {t('app.error', { message: error })}
        </p>
      )}
      {answer && (
        <>
          <p data-testid="backtest-summary">{t('backtest.summary', { episodes: answer.total, subjects: answer.subjects, readings: formatNumber(answer.readings, lang, 0) })}</p>
          {answer.truncated && <p className="warn">{t('backtest.truncated')}</p>}
          {answer.episodes.length > 0 && (
            <table className="values">
              <thead>
                <tr>
                  <th scope="col">{t('backtest.subject')}</th>
                  <th scope="col">{t('backtest.raised')}</th>
                  <th scope="col">{t('backtest.cleared')}</th>
                  <th scope="col">{t('backtest.peak')}</th>
                  <th scope="col">{t('backtest.count')}</th>
                  <th scope="col">{t('rule.severity')}</th>
                </tr>
              </thead>
              <tbody>
                {answer.episodes.slice(0, 200).map((e, i) => (
                  <tr key={i}>
                    <td>{e.subject.key}</td>
                    <td>{formatDateTime(e.raisedAt, lang)}</td>
                    <td>{e.clearedAt ? formatDateTime(e.clearedAt, lang) : t('backtest.stillOn')}</td>
                    <td>{formatNumber(e.peakValue, lang, 2)}</td>
                    <td>{e.count}</td>
                    <td>
                      <SeverityBadge severity={e.severity} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
