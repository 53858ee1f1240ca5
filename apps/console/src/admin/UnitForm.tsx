import { ORG_UNIT_KIND_LABELS, ORG_UNIT_KINDS, SECTORS } from '@haidang/domain';
import { type FormEvent, useState } from 'react';
import { api } from '../api/client.ts';
import type { UnitView } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { FieldProblems } from './FieldProblems.tsx';
import { type Problem, problemsOf } from './form-errors.ts';
import { childKind } from './org-tree.ts';
import { ProblemList } from './ProblemList.tsx';

/** Adds a unit below `unit`, or renames `unit` (its kind and sector too); the server's field errors are shown by field. */
export function UnitForm({ mode, unit, onDone, onCancel }: { mode: 'add' | 'rename'; unit: UnitView; onDone: (code: string) => void; onCancel: () => void }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const [draft, setDraft] = useState(() =>
    mode === 'add' ? { code: '', vi: '', en: '', kind: childKind(unit.kind), sector: '' } : { code: unit.code, vi: unit.name.vi, en: unit.name.en, kind: unit.kind, sector: unit.sector ?? '' },
  );
  const [failure, setFailure] = useState<{ message: string | null; fields: Problem[] }>({ message: null, fields: [] });
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...patch }));
  const labels = { code: t('admin.unit.code'), 'name/vi': t('admin.unit.nameVi'), 'name/en': t('admin.unit.nameEn'), kind: t('admin.unit.kind'), sector: t('admin.unit.sector'), parent: t('admin.unit.parent'), geometry: t('admin.unit.geometry') };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const body = { code: draft.code.trim(), name: { vi: draft.vi, en: draft.en }, kind: draft.kind, parent: mode === 'add' ? unit.code : (unit.parent ?? ''), sector: draft.kind === 'sector_oc' ? draft.sector || null : null };
    try {
      if (mode === 'add') await api('POST', '/api/v1/units', body);
      else {
        // A PUT replaces the whole unit: its area goes back as it is.
        const { geometry } = await api<{ geometry: unknown }>('GET', `/api/v1/units/${encodeURIComponent(unit.code)}`);
        await api('PUT', `/api/v1/units/${encodeURIComponent(unit.code)}`, { ...body, geometry });
      }
      onDone(body.code);
    } catch (err) {
      setFailure(problemsOf(err));
    } finally {
      setBusy(false);
    }
  };

  const title = mode === 'add' ? t('admin.unit.addBelow', { parent: pick(unit.name) }) : t('admin.unit.renameTitle', { name: pick(unit.name) });
  return (
    <form className="admin-form inline" aria-label={title} onSubmit={(e) => void submit(e)}>
      <h3>{title}</h3>
      <label>
        {labels.code}
        <input name="code" value={draft.code} maxLength={32} disabled={mode === 'rename'} onChange={(e) => set({ code: e.target.value })} />
        <FieldProblems problems={failure.fields} field="code" />
      </label>
      <label>
        {labels['name/vi']}
        <input name="name/vi" value={draft.vi} maxLength={200} onChange={(e) => set({ vi: e.target.value })} />
        <FieldProblems problems={failure.fields} field="name/vi" />
      </label>
      <label>
        {labels['name/en']}
        <input name="name/en" value={draft.en} maxLength={200} onChange={(e) => set({ en: e.target.value })} />
        <FieldProblems problems={failure.fields} field="name/en" />
      </label>
      <label>
        {labels.kind}
        <select name="kind" value={draft.kind} onChange={(e) => set({ kind: e.target.value })}>
          {ORG_UNIT_KINDS.map((k) => (
            <option key={k} value={k}>
              {pick(ORG_UNIT_KIND_LABELS[k])}
            </option>
          ))}
        </select>
        <FieldProblems problems={failure.fields} field="kind" />
      </label>
      {draft.kind === 'sector_oc' && (
        <label>
          {labels.sector}
          <select name="sector" value={draft.sector} onChange={(e) => set({ sector: e.target.value })}>
            <option value="">—</option>
            {SECTORS.map((s) => (
              <option key={s} value={s}>
                {pick(session.units.find((u) => u.kind === 'sector_oc' && u.sector === s)?.name) || s}
              </option>
            ))}
          </select>
          <FieldProblems problems={failure.fields} field="sector" />
        </label>
      )}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {t('admin.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('admin.cancel')}
        </button>
      </div>
      <ProblemList message={failure.message} problems={failure.fields} labels={labels} />
    </form>
  );
}
