import { useEffect, useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import { allowsSomewhere } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate } from '../shared/route.ts';
import { useAsync } from '../shared/useAsync.ts';
import { useDebounced } from '../shared/useDebounced.ts';
import { draftOf, emptyRule } from './rule-form.ts';
import { RuleEditor } from './RuleEditor.tsx';

interface RuleListItem {
  id: string;
  version: number;
  name: { vi: string; en: string };
  unitCode: string;
  enabled: boolean;
  severity: string;
}

/** The warning rules in scope, searchable; the selected (or a new) rule in the editor. */
export function RulesPage({ selectedId }: { selectedId: string | undefined }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());
  // "Saved (version n)", for the rule just saved; any other selection clears it.
  const [saved, setSaved] = useState<{ id: string; version: number } | null>(null);
  useEffect(() => {
    if (saved && saved.id !== selectedId) setSaved(null);
  }, [selectedId, saved]);
  const list = useAsync((signal) => api<{ items: RuleListItem[]; total: number }>('GET', withQuery('/api/v1/rules', { q, limit: 200 }), undefined, { signal }), [q]);
  const isNew = selectedId === 'new';
  const selected = useAsync(
    (signal) => (selectedId && !isNew ? api<Record<string, unknown>>('GET', `/api/v1/rules/${encodeURIComponent(selectedId)}`, undefined, { signal }) : Promise.resolve(undefined)),
    [selectedId],
  );
  const home = session.grants[0]?.unitCode ?? session.user.unitCode;
  const editable = selected.data ? draftOf(selected.data) : undefined;
  return (
    <div className="rules">
      <header className="view-header">
        <h1>{t('rules.title')}</h1>
        {allowsSomewhere(session.grants, 'rule.manage') && (
          <a className="button primary" href="#/rules/new">
            {t('rules.new')}
          </a>
        )}
      </header>
      <div className="inbox-body">
        <section className="device-list" aria-label={t('rules.title')}>
          <input type="search" aria-label={t('rules.search')} placeholder={t('rules.search')} value={text} maxLength={200} onChange={(e) => setText(e.target.value)} />
          <p className="muted">{t('rules.count', { total: list.data?.total ?? 0 })}</p>
          <ul>
            {list.data?.items.map((r) => (
              <li key={r.id} className={r.id === selectedId ? 'selected' : ''} data-rule-id={r.id}>
                <a href={`#/rules/${encodeURIComponent(r.id)}`}>
                  <span className="title">{pick(r.name)}</span>
                  <span className="meta">
                    {r.id} · v{r.version} · {pick(session.unitsByCode.get(r.unitCode)?.name) || r.unitCode}
                    {!r.enabled && ` · ${t('rules.disabled')}`}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
        <section className="alert-detail-panel">
          {saved && saved.id === selectedId && (
            <p className="ok" role="status">
              {t('rule.saved', { version: saved.version })}
            </p>
          )}
          {isNew ? (
            <RuleEditor key="new" initial={emptyRule(home)} version={undefined} onSaved={(r) => (setSaved(r), list.reload(), navigate({ view: 'rules', id: r.id }))} onDeleted={() => undefined} />
          ) : editable ? (
            <RuleEditor key={`${selectedId}:${editable.version}`} initial={editable.draft} version={editable.version} onSaved={(r) => (setSaved(r), list.reload(), selected.reload())} onDeleted={() => (list.reload(), navigate({ view: 'rules' }))} />
          ) : selected.error ? (
            <p className="error" role="alert">
              {t('app.error', { message: selected.error.message })}
            </p>
          ) : (
            <p className="muted">{t('rules.select')}</p>
          )}
        </section>
      </div>
    </div>
  );
}
