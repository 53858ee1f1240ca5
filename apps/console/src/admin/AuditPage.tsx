import { type FormEvent, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { type AuditFilter, auditFilterProblems, EMPTY_AUDIT_FILTER } from './audit-query.ts';
import { AuditTable } from './AuditTable.tsx';
import { AuditVerify } from './AuditVerify.tsx';
import { UnitSelect } from './UnitSelect.tsx';

/** Common actions, offered as suggestions (any action or prefix with `.*` may be typed). */
const ACTIONS = ['auth.*', 'user.*', 'user.create', 'apikey.*', 'unit.*', 'delegation.*', 'device.*', 'rule.*', 'alert.*', 'maintenance.*', 'data.export', 'access.denied'];

/** The audit log within one's scope: filters (actor, action, unit, time range in city time), pages, and the chain check. */
export function AuditPage() {
  const { t } = useI18n();
  const [form, setForm] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [applied, setApplied] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const problems = auditFilterProblems(form);
  const set = (patch: Partial<AuditFilter>) => setForm((f) => ({ ...f, ...patch }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (problems.length === 0) setApplied(form);
  };
  const byActor = (actor: string) => {
    setForm((f) => ({ ...f, actor }));
    setApplied((f) => ({ ...f, actor }));
  };
  return (
    <div className="audit">
      <form className="filters" role="search" aria-label={t('admin.audit.filters')} onSubmit={apply}>
        <label>
          {t('admin.audit.actorId')}
          <input name="actor" value={form.actor} maxLength={64} onChange={(e) => set({ actor: e.target.value })} />
        </label>
        <label>
          {t('admin.audit.actionFilter')}
          <input name="action" list="audit-actions" value={form.action} maxLength={64} placeholder="user.*" onChange={(e) => set({ action: e.target.value })} />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <UnitSelect label={t('admin.audit.unit')} name="unit" value={form.unit} empty={t('alerts.any')} onChange={(unit) => set({ unit })} />
        <label>
          {t('admin.audit.from')}
          <input name="from" type="datetime-local" value={form.from} onChange={(e) => set({ from: e.target.value })} />
          {problems.includes('from') && <small className="error">{t('problem.bad_timestamp')}</small>}
        </label>
        <label>
          {t('admin.audit.to')}
          <input name="to" type="datetime-local" value={form.to} onChange={(e) => set({ to: e.target.value })} />
          {problems.includes('to') && <small className="error">{t('admin.audit.badRange')}</small>}
        </label>
        <button type="submit" className="primary" disabled={problems.length > 0}>
          {t('admin.audit.apply')}
        </button>
        <button type="button" onClick={() => (setForm(EMPTY_AUDIT_FILTER), setApplied(EMPTY_AUDIT_FILTER))}>
          {t('admin.audit.clear')}
        </button>
      </form>
      <p className="muted">{t('admin.audit.timeZone')}</p>
      <AuditVerify />
      <AuditTable key={JSON.stringify(applied)} filter={applied} onActor={byActor} />
    </div>
  );
}
