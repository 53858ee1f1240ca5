import { DEVICE_TYPES } from '@haidang/domain';
import { useEffect, useState } from 'react';
import { api, withQuery } from '../api/client.ts';
import type { DeviceView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate } from '../shared/route.ts';
import { useAsync } from '../shared/useAsync.ts';
import { useDebounced } from '../shared/useDebounced.ts';
import { DeviceDetail } from './DeviceDetail.tsx';

const PAGE = 50;

/** The device explorer: search (with or without diacritics), filters, pages; the selected device. */
export function DevicesPage({ selectedId }: { selectedId: string | undefined }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());
  const [type, setType] = useState('');
  const [unit, setUnit] = useState('');
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [q]);
  const list = useAsync(
    (signal) => api<{ items: DeviceView[]; total: number }>('GET', withQuery('/api/v1/devices', { q, type, unit, limit: PAGE, offset }), undefined, { signal }),
    [q, type, unit, offset],
  );
  const total = list.data?.total ?? 0;
  return (
    <div className="devices">
      <header className="view-header">
        <h1>{t('devices.title')}</h1>
      </header>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="grow">
          {t('devices.search')}
          <input type="search" name="q" value={text} maxLength={200} onChange={(e) => setText(e.target.value)} />
        </label>
        <label>
          {t('devices.type')}
          <select name="type" value={type} onChange={(e) => (setType(e.target.value), setOffset(0))}>
            <option value="">{t('alerts.any')}</option>
            {Object.entries(DEVICE_TYPES).map(([id, info]) => (
              <option key={id} value={id}>
                {pick(info.name)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alerts.unit')}
          <select name="unit" value={unit} onChange={(e) => (setUnit(e.target.value), setOffset(0))}>
            <option value="">{t('alerts.any')}</option>
            {session.areas.map((u) => (
              <option key={u.code} value={u.code}>
                {pick(u.name)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {list.error && (
        <p className="error" role="alert">
          {t('app.error', { message: list.error.message })}
        </p>
      )}
      <div className="inbox-body">
        <section className="device-list" aria-label={t('devices.title')}>
          <p className="muted">{total ? t('devices.count', { from: offset + 1, to: Math.min(offset + PAGE, total), total }) : list.loading ? t('app.loading') : t('devices.none')}</p>
          <ul>
            {list.data?.items.map((d) => (
              <li key={d.id} className={d.id === selectedId ? 'selected' : ''} data-device-id={d.id}>
                <a href={`#/devices/${encodeURIComponent(d.id)}`} aria-current={d.id === selectedId ? 'true' : undefined}>
                  <span className="title">{d.name}</span>
                  <span className="meta">
                    {d.id} · {pick(DEVICE_TYPES[d.type]?.name) || d.type} · {pick(session.unitsByCode.get(d.unitCode)?.name) || d.unitCode}
                  </span>
                </a>
              </li>
            ))}
          </ul>
          <div className="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              {t('devices.previous')}
            </button>
            <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
              {t('devices.next')}
            </button>
          </div>
        </section>
        <section className="alert-detail-panel">
          {selectedId ? <DeviceDetail id={selectedId} onClose={() => navigate({ view: 'devices' })} /> : <p className="muted">{t('devices.select')}</p>}
        </section>
      </div>
    </div>
  );
}
