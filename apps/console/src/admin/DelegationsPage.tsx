import { ROLE_LABELS } from '@haidang/domain';
import { useState } from 'react';
import { api } from '../api/client.ts';
import type { DelegationView } from '../api/types.ts';
import { allowsSomewhere } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime } from '../shared/format.ts';
import { useAsync } from '../shared/useAsync.ts';
import { delegableGrants } from './admin-access.ts';
import { EMPTY_AUDIT_FILTER } from './audit-query.ts';
import { AuditTable } from './AuditTable.tsx';
import { DelegationForm } from './DelegationForm.tsx';
import { problemsOf } from './form-errors.ts';
import { Pager } from './Pager.tsx';
import { pageInfo, pageOf, stepPage } from './paging.ts';

const PAGE = 20;
const DELEGATION_EVENTS = { ...EMPTY_AUDIT_FILTER, action: 'delegation.*' };

/** Delegations one gave or received (revocable by either while in force); a new one; those in one's scope, from the audit log. */
export function DelegationsPage() {
  const { t, pick, lang } = useI18n();
  const session = useSession();
  const list = useAsync((signal) => api<{ items: DelegationView[] }>('GET', '/api/v1/delegations', undefined, { signal }), []);
  const [offset, setOffset] = useState(0);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const items = [...(list.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const mayGrant = allowsSomewhere(session.grants, 'delegation.grant') && delegableGrants(session.grants).length > 0;
  const revoke = async (d: DelegationView) => {
    if (!confirm(t('admin.delegation.confirmRevoke'))) return;
    try {
      await api('POST', `/api/v1/delegations/${encodeURIComponent(d.id)}/revoke`);
      setMessage({ ok: true, text: t('admin.delegation.revoked') });
      list.reload();
    } catch (err) {
      setMessage({ ok: false, text: t('app.error', { message: problemsOf(err).message }) });
    }
  };
  return (
    <div className="delegations">
      <p className="muted">{t('admin.delegation.myId', { id: session.user.id })}</p>
      <section aria-label={t('admin.delegation.mine')}>
        <h2>{t('admin.delegation.mine')}</h2>
        {list.error && (
          <p className="error" role="alert">
            {t('app.error', { message: list.error.message })}
          </p>
        )}
        {list.data && items.length === 0 && <p className="muted">{t('admin.delegation.none')}</p>}
        {items.length > 0 && (
          <table className="values">
            <thead>
              <tr>
                <th scope="col">{t('admin.delegation.direction')}</th>
                <th scope="col">{t('admin.assignment.role')}</th>
                <th scope="col">{t('admin.delegation.window')}</th>
                <th scope="col">{t('admin.delegation.reason')}</th>
                <th scope="col">{t('admin.delegation.status')}</th>
              </tr>
            </thead>
            <tbody>
              {pageOf(items, offset, PAGE).map((d) => (
                <tr key={d.id} data-delegation-id={d.id} data-status={d.status}>
                  <td>{d.grantorId === session.user.id ? t('admin.delegation.givenTo', { name: d.granteeName }) : t('admin.delegation.receivedFrom', { name: d.grantorName })}</td>
                  <td>
                    {pick(ROLE_LABELS[d.role])} @ {pick(session.unitsByCode.get(d.unitCode)?.name) || d.unitCode}
                    {d.sector ? ` (${d.sector})` : ''}
                  </td>
                  <td>
                    {formatDateTime(d.validFrom, lang)} – {formatDateTime(d.validUntil, lang)}
                  </td>
                  <td className="note">{d.reason}</td>
                  <td>
                    {t(`admin.delegation.status.${d.status}`)}{' '}
                    {(d.status === 'active' || d.status === 'scheduled') && (
                      <button type="button" className="danger" onClick={() => void revoke(d)}>
                        {t('admin.delegation.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {items.length > PAGE && <Pager info={pageInfo(offset, PAGE, items.length)} onStep={(dir) => setOffset(stepPage(offset, PAGE, items.length, dir))} />}
        {message && (
          <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
            {message.text}
          </p>
        )}
      </section>
      {mayGrant ? <DelegationForm onCreated={() => (setMessage({ ok: true, text: t('admin.delegation.created') }), list.reload())} /> : <p className="muted">{t('admin.delegation.nothingToLend')}</p>}
      {allowsSomewhere(session.grants, 'audit.read') && (
        <section aria-label={t('admin.delegation.inScope')}>
          <h2>{t('admin.delegation.inScope')}</h2>
          <AuditTable filter={DELEGATION_EVENTS} />
        </section>
      )}
    </div>
  );
}
