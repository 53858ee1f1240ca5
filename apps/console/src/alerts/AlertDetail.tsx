import { actionRefused, type AlertAction, ALERT_EVENT_KINDS, ALERT_STATE_NAMES, type Condition, leavesOf } from '@haidang/domain';
import { type FormEvent, useState } from 'react';
import { api, errorText } from '../api/client.ts';
import type { AlertEventView, AlertView, LeafEvidence } from '../api/types.ts';
import { allows } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { MessageKey } from '../i18n/messages.ts';
import { formatDateTime, formatNumber } from '../shared/format.ts';
import { LineChart } from '../shared/LineChart.tsx';
import { useAsync } from '../shared/useAsync.ts';
import { SeverityBadge } from './SeverityBadge.tsx';

const ACTIONS: { action: AlertAction; path: string; note: 'optional' | 'required'; assignee?: true }[] = [
  { action: 'acknowledge', path: 'acknowledge', note: 'optional' },
  { action: 'assign', path: 'assign', note: 'optional', assignee: true },
  { action: 'comment', path: 'comments', note: 'required' },
  { action: 'close', path: 'close', note: 'required' },
];

/** One alert: what, where, how bad; the evidence chart; the actions the user may take; the timeline. */
export function AlertDetail({ id, version, onClose }: { id: string; version: number; onClose: () => void }) {
  const { t, pick, lang } = useI18n();
  const session = useSession();
  const detail = useAsync((signal) => api<{ alert: AlertView; timeline: AlertEventView[] }>('GET', `/api/v1/alerts/${encodeURIComponent(id)}`, undefined, { signal }), [id, version]);
  if (detail.error) {
    return (
      <p className="error" role="alert">
        {t('app.error', { message: detail.error.message })}
      </p>
    );
  }
  if (!detail.data) return <p role="status">{t('app.loading')}</p>;
  const { alert: a, timeline } = detail.data;
  const mayHandle = allows(session.grants, session.tree, 'alert.handle', a);
  const owner = session.unitsByCode.get(a.ownerUnit);
  return (
    <article className="alert-detail" aria-labelledby="alert-title" data-alert-id={a.id} data-state={a.state}>
      <header>
        <h2 id="alert-title">
          <SeverityBadge severity={a.severity} /> {pick(a.title)}
        </h2>
        <button type="button" className="link" onClick={onClose} aria-label={t('alerts.close')}>
          ×
        </button>
      </header>
      <dl className="facts">
        <dt>{t('alerts.state')}</dt>
        <dd data-testid="alert-state">{pick(ALERT_STATE_NAMES[a.state])}{a.escalated ? ` · ${t('alerts.escalated')}` : ''}</dd>
        <dt>{t('alerts.owner')}</dt>
        <dd>{owner ? pick(owner.name) : a.ownerUnit}</dd>
        <dt>{t('alerts.assignee')}</dt>
        <dd>{a.assignee ?? t('alerts.nobody')}</dd>
        <dt>{t('alerts.openedAt')}</dt>
        <dd>{formatDateTime(a.openedAt, lang)}</dd>
        <dt>{t('alerts.lastAt')}</dt>
        <dd>
          {formatDateTime(a.lastTs, lang)} · {t('alerts.repeats', { count: a.count })}
        </dd>
        <dt>{t('alerts.value')}</dt>
        <dd>
          {formatNumber(a.lastValue, lang, 2)} ({t('alerts.peak')} {formatNumber(a.peakValue, lang, 2)})
        </dd>
      </dl>
      <AlertActions alert={a} mayHandle={mayHandle} onDone={detail.reload} />
      {a.evidence && (
        <section className="evidence" aria-label={t('alerts.evidence')}>
          <h3>{t('alerts.evidence')}</h3>
          <p className="muted">{t('alerts.ruleVersion', { rule: a.evidence.ruleId, version: a.evidence.ruleVersion })}</p>
          {a.evidence.leaves.map((leaf, i) => (
            <EvidenceChart key={i} leaf={leaf} condition={a.evidence!.condition as Condition} />
          ))}
        </section>
      )}
      <section className="timeline" aria-label={t('alerts.timeline')}>
        <h3>{t('alerts.timeline')}</h3>
        <ol>
          {timeline.map((e) => (
            <li key={e.id} data-kind={e.kind}>
              <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time> <strong>{eventLabel(e.kind, t)}</strong>
              {e.actor && <span className="muted"> {t('event.by', { actor: e.actor })}</span>}
              {typeof e.data.note === 'string' && <p className="note">{e.data.note}</p>}
              {typeof e.data.assignee === 'string' && <p className="note">→ {e.data.assignee}</p>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

/** A timeline event's name; a kind this console does not know yet shows as it is. */
const eventLabel = (kind: string, t: (k: MessageKey) => string): string => ((ALERT_EVENT_KINDS as readonly string[]).includes(kind) ? t(`event.${kind}` as MessageKey) : kind);

/** The readings a leaf saw when the alert was raised, with its raise and clear thresholds. */
function EvidenceChart({ leaf, condition }: { leaf: LeafEvidence; condition: Condition }) {
  const { t } = useI18n();
  const spec = leavesOf(condition)[leaf.leaf];
  const lines =
    spec && (spec.kind === 'threshold' || (spec.kind === 'window' && spec.agg !== 'sum'))
      ? [
          { label: t('chart.raise'), value: spec.raise, colour: '#d7263d' },
          { label: t('chart.clear'), value: spec.clear, colour: '#2e9d5b' },
        ]
      : spec?.kind === 'duration'
        ? [{ label: t('chart.raise'), value: spec.value, colour: '#d7263d' }]
        : [];
  return (
    <div className="evidence-leaf">
      <p>
        <a href={`#/devices/${encodeURIComponent(leaf.deviceId)}`}>
          <code>{leaf.deviceId}</code>
        </a>{' '}
        · <code>{leaf.attr}</code> {spec ? `· ${spec.kind}` : ''}
        {leaf.value !== undefined ? ` = ${leaf.value}` : ''}
      </p>
      <LineChart points={leaf.readings} marks={leaf.readings} lines={lines} unit={leaf.attr} label={`${t('chart.readings')}: ${leaf.deviceId} ${leaf.attr}`} />
    </div>
  );
}

/** The actions, each enabled only when the state and the user's permission allow it, else disabled with the reason. */
function AlertActions({ alert, mayHandle, onDone }: { alert: AlertView; mayHandle: boolean; onDone: () => void }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [assignee, setAssignee] = useState(alert.assignee ?? '');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (e: FormEvent, a: (typeof ACTIONS)[number]) => {
    e.preventDefault();
    if (a.note === 'required' && !note.trim()) {
      setMessage({ ok: false, text: t('alerts.noteRequired') });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const body: Record<string, unknown> = {};
      if (note.trim()) body.note = note.trim();
      if (a.assignee) body.assignee = assignee.trim() || null;
      await api('POST', `/api/v1/alerts/${encodeURIComponent(alert.id)}/${a.path}`, body);
      setNote('');
      setMessage({ ok: true, text: t('action.done') });
      onDone();
    } catch (err) {
      setMessage({ ok: false, text: t('app.error', { message: errorText(err) }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="actions" onSubmit={(e) => e.preventDefault()}>
      {!mayHandle && <p className="muted">{t('alerts.noPermission')}</p>}
      <label>
        {t('alerts.note')}
        <textarea name="note" value={note} maxLength={4000} rows={2} onChange={(e) => setNote(e.target.value)} disabled={!mayHandle} />
      </label>
      <label>
        {t('alerts.assignee')}
        <input name="assignee" value={assignee} maxLength={64} placeholder={t('alerts.assigneePlaceholder')} onChange={(e) => setAssignee(e.target.value)} disabled={!mayHandle} />
      </label>
      <div className="buttons">
        {ACTIONS.map((a) => {
          const refused = actionRefused(alert.state, a.action);
          const reason = !mayHandle ? t('alerts.noPermission') : refused ? `${t('alerts.refusedState')} (${refused})` : undefined;
          return (
            <button key={a.action} type="submit" name={a.action} className={a.action === 'close' ? 'danger' : a.action === 'acknowledge' ? 'primary' : ''} disabled={busy || reason !== undefined} title={reason} onClick={(e) => void run(e, a)}>
              {t(`action.${a.action}`)}
            </button>
          );
        })}
      </div>
      {message && (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </form>
  );
}
