import { useI18n } from '../i18n/i18n.tsx';
import type { PageInfo } from './paging.ts';

/** "1–50 of 120" with previous and next buttons. */
export function Pager({ info, onStep }: { info: PageInfo; onStep: (dir: -1 | 1) => void }) {
  const { t } = useI18n();
  return (
    <div className="pager">
      <button type="button" disabled={!info.hasPrevious} onClick={() => onStep(-1)}>
        {t('devices.previous')}
      </button>
      <span className="muted">{t('admin.range', { from: info.from, to: info.to, total: info.total })}</span>
      <button type="button" disabled={!info.hasNext} onClick={() => onStep(1)}>
        {t('devices.next')}
      </button>
    </div>
  );
}
