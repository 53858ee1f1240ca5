import { useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { AuditEntryView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatDateTime } from '../shared/format.ts';
import { useAsync } from '../shared/useAsync.ts';
import { type AuditFilter, auditQuery, currentCursor, firstPage, hasOlder, newerPage, olderPage } from './audit-query.ts';

/** Audit entries matching a filter, newest first, a page at a time (by sequence number). Give it a new `key` when the filter changes. */
export function AuditTable({ filter, onActor }: { filter: AuditFilter; onActor?: (actorId: string) => void }) {
  const { t, pick, lang } = useI18n();
  const session = useSession();
  const [pages, setPages] = useState(firstPage);
  const cursor = currentCursor(pages);
  const log = useAsync((signal) => api<{ items: AuditEntryView[] }>('GET', withQuery('/api/v1/audit', auditQuery(filter, cursor)), undefined, { signal }), [filter, cursor]);
  const items = log.data?.items ?? [];
  return (
    <div className="audit-table">
      {log.error && (
        <p className="error" role="alert">
          {t('app.error', { message: log.error.message })}
        </p>
      )}
      {log.data && items.length === 0 && <p className="muted">{t('admin.audit.none')}</p>}
      {items.length > 0 && (
        <table className="values">
          <thead>
            <tr>
              <th scope="col">{t('admin.audit.at')}</th>
              <th scope="col">{t('admin.audit.actor')}</th>
              <th scope="col">{t('admin.audit.action')}</th>
              <th scope="col">{t('admin.audit.unit')}</th>
              <th scope="col">{t('admin.audit.target')}</th>
              <th scope="col">{t('admin.audit.details')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.seq} data-seq={e.seq} data-action={e.action} data-target={e.target ?? ''} className={e.outcome === 'success' ? '' : 'refused'}>
                <td>
                  <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time>
                </td>
                <td>
                  {onActor && e.actorId ? (
                    <button type="button" className="link" title={t('admin.audit.byActor')} onClick={() => onActor(e.actorId!)}>
                      {e.actorName}
                    </button>
                  ) : (
                    e.actorName
                  )}
                  {e.onBehalfOfName && <span className="muted"> {t('admin.audit.onBehalfOf', { name: e.onBehalfOfName })}</span>}
                </td>
                <td>
                  <code>{e.action}</code>
                  {e.outcome !== 'success' && <span className="badge retired">{e.outcome}</span>}
                </td>
                <td>{e.unitCode ? pick(session.unitsByCode.get(e.unitCode)?.name) || e.unitCode : '—'}</td>
                <td>
                  <code>{e.target ?? '—'}</code>
                </td>
                <td>
                  <details>
                    <summary>#{e.seq}</summary>
                    <pre className="note">{JSON.stringify({ ...e.details, ip: e.ip, userAgent: e.userAgent, correlationId: e.correlationId }, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="pager">
        <button type="button" disabled={pages.cursors.length < 2} onClick={() => setPages(newerPage)}>
          {t('admin.audit.newer')}
        </button>
        <span className="muted">{t('admin.audit.page', { page: pages.cursors.length })}</span>
        <button type="button" disabled={!hasOlder(items)} onClick={() => setPages((p) => olderPage(p, items))}>
          {t('admin.audit.older')}
        </button>
      </div>
    </div>
  );
}
