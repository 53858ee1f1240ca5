import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import type { AdminUserView, ApiKeyView, IssuedApiKey } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime } from '../shared/format.ts';
import { useAsync } from '../shared/useAsync.ts';
import { FieldProblems } from './FieldProblems.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { Pager } from './Pager.tsx';
import { pageInfo, pageOf, stepPage } from './paging.ts';
import { ProblemList } from './ProblemList.tsx';

const PAGE = 20;

/** A service account's API keys: list, issue (the key is shown once, to copy), revoke. People sign in instead. */
export function ApiKeysPanel({ user, refusal }: { user: AdminUserView; refusal: string | undefined }) {
  const { t, lang } = useI18n();
  const service = user.kind === 'service';
  const keys = useAsync((signal) => (service ? api<{ items: ApiKeyView[] }>('GET', `/api/v1/users/${encodeURIComponent(user.id)}/api-keys`, undefined, { signal }) : Promise.resolve({ items: [] })), [user.id, service]);
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<IssuedApiKey | null>(null);
  const [copied, setCopied] = useState(false);
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] }>({ message: null, fields: [] });
  const [busy, setBusy] = useState(false);
  const [offset, setOffset] = useState(0);
  const labels = { name: t('admin.keys.name'), userId: t('admin.keys.title') };
  const refused = refusal ?? (service ? undefined : t('admin.keys.serviceOnly'));

  const run = async (call: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await call();
      setFailure({ message: null, fields: [] });
      keys.reload();
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      setIssued(await api<IssuedApiKey>('POST', `/api/v1/users/${encodeURIComponent(user.id)}/api-keys`, { name: name.trim() }));
      setCopied(false);
      setName('');
    });
  };
  const revoke = (k: ApiKeyView) => {
    if (confirm(t('admin.keys.confirmRevoke', { name: k.name }))) void run(() => api('DELETE', `/api/v1/users/${encodeURIComponent(user.id)}/api-keys/${encodeURIComponent(k.id)}`));
  };
  const copy = (key: string) => void navigator.clipboard?.writeText(key).then(() => setCopied(true), () => undefined);
  const items = keys.data?.items ?? [];

  return (
    <section className="api-keys" aria-label={t('admin.keys.title')}>
      <h3>{t('admin.keys.title')}</h3>
      {!service && <p className="muted">{t('admin.keys.serviceOnly')}</p>}
      {issued && (
        <div className="secret" role="status">
          <p>{t('admin.keys.once')}</p>
          <code data-testid="api-key-secret">{issued.key}</code>
          <div className="buttons">
            <button type="button" onClick={() => copy(issued.key)}>
              {copied ? t('admin.keys.copiedToClipboard') : t('admin.keys.copy')}
            </button>
            <button type="button" className="primary" onClick={() => setIssued(null)}>
              {t('admin.keys.done')}
            </button>
          </div>
        </div>
      )}
      {service && (
        <form className="admin-form inline" aria-label={t('admin.keys.create')} onSubmit={create}>
          <label>
            {labels.name}
            <input name="name" value={name} maxLength={100} disabled={!!refused} onChange={(e) => setName(e.target.value)} />
            <FieldProblems problems={failure.fields} field="name" />
          </label>
          <button type="submit" className="primary" disabled={busy || !!refused || !name.trim()} title={refused}>
            {t('admin.keys.create')}
          </button>
        </form>
      )}
      <ProblemList message={failure.message} problems={failure.fields} labels={labels} />
      {service && (
        <table className="values">
          <thead>
            <tr>
              <th scope="col">{t('admin.keys.name')}</th>
              <th scope="col">{t('admin.keys.prefix')}</th>
              <th scope="col">{t('admin.keys.created')}</th>
              <th scope="col">{t('admin.keys.lastUsed')}</th>
              <th scope="col">{t('admin.keys.state')}</th>
            </tr>
          </thead>
          <tbody>
            {pageOf(items, offset, PAGE).map((k) => (
              <tr key={k.id} data-key-id={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{formatDateTime(k.createdAt, lang)}</td>
                <td>{formatDateTime(k.lastUsedAt, lang)}</td>
                <td>
                  {k.revokedAt ? (
                    t('admin.keys.revokedAt', { at: formatDateTime(k.revokedAt, lang) })
                  ) : (
                    <button type="button" className="danger" disabled={busy || !!refusal} title={refusal} aria-label={t('admin.keys.revokeNamed', { name: k.name })} onClick={() => revoke(k)}>
                      {t('admin.keys.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {service && items.length > PAGE && <Pager info={pageInfo(offset, PAGE, items.length)} onStep={(dir) => setOffset(stepPage(offset, PAGE, items.length, dir))} />}
    </section>
  );
}
