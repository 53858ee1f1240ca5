import { DEVICE_TYPES, SECTORS, SEVERITIES, SEVERITY_NAMES } from '@haidang/domain';
import { useMemo, useState } from 'react';
import { api, ApiError, errorText } from '../api/client.ts';
import { allows } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { BacktestPanel } from './BacktestPanel.tsx';
import { ConditionEditor } from './ConditionEditor.tsx';
import { attributeChoices, draftErrors, errorsOf, type RuleDraft, setAt } from './rule-form.ts';

type Path = (string | number)[];

/** Create or edit a rule with a form; the domain's validation runs as one types; backtest before saving. */
export function RuleEditor({ initial, version, onSaved, onDeleted }: { initial: RuleDraft; version: number | undefined; onSaved: (saved: { id: string; version: number }) => void; onDeleted: () => void }) {
  const { t, pick } = useI18n();
  const session = useSession();
  const [draft, setDraft] = useState<RuleDraft>(initial);
  const [touched, setTouched] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const errors = useMemo(() => draftErrors(draft), [draft]);
  const shown = touched ? errors : [];
  const may = allows(session.grants, session.tree, 'rule.manage', { unitCode: String(draft.unitCode), sector: (draft.sector as string | null) ?? null });
  const set = (path: Path, value: unknown) => {
    setDraft((d) => setAt(d, path, value));
    setTouched(true);
    setMessage(null);
  };
  const field = (path: Path) =>
    errorsOf(shown, path).map((e) => (
      <small key={e.message} className="error">
        {e.message}
      </small>
    ));
  const attributes = attributeChoices(draft.deviceType as string | undefined);

  const save = async () => {
    setTouched(true);
    if (errors.length) {
      setMessage({ ok: false, text: t('rule.problems', { count: errors.length }) });
      return;
    }
    setBusy(true);
    try {
      const saved =
        version === undefined
          ? await api<{ id: string; version: number }>('POST', '/api/v1/rules', draft)
          : await api<{ id: string; version: number }>('PUT', `/api/v1/rules/${encodeURIComponent(String(draft.id))}`, { ...draft, version });
      // The page says it was saved: the editor reopens on the saved version.
      onSaved(saved);
    } catch (e) {
      setMessage({ ok: false, text: e instanceof ApiError && e.status === 409 ? t('rule.conflict') : errorText(e) });
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!confirm(t('rule.confirmDelete'))) return;
    await api('DELETE', `/api/v1/rules/${encodeURIComponent(String(draft.id))}`);
    onDeleted();
  };

  const name = draft.name as { vi: string; en: string };
  return (
    <form className="rule-editor" aria-label={pick(name) || t('rules.new')} onSubmit={(e) => (e.preventDefault(), void save())}>
      {!may && <p className="muted">{t('rule.noPermission')}</p>}
      <fieldset disabled={!may}>
        <legend>{t('rule.names')}</legend>
        <label>
          {t('rule.nameVi')}
          <input name="name/vi" value={name.vi} maxLength={200} onChange={(e) => set(['name', 'vi'], e.target.value)} />
          {field(['name', 'vi'])}
        </label>
        <label>
          {t('rule.nameEn')}
          <input name="name/en" value={name.en} maxLength={200} onChange={(e) => set(['name', 'en'], e.target.value)} />
          {field(['name', 'en'])}
        </label>
      </fieldset>
      <fieldset disabled={!may}>
        <legend>{t('rule.where')}</legend>
        <label>
          {t('rule.unit')}
          <select name="unitCode" value={String(draft.unitCode)} onChange={(e) => set(['unitCode'], e.target.value)}>
            {session.areas.map((u) => (
              <option key={u.code} value={u.code}>
                {pick(u.name)}
              </option>
            ))}
          </select>
          {field(['unitCode'])}
        </label>
        <label>
          {t('rule.sector')}
          <select name="sector" value={String(draft.sector ?? '')} onChange={(e) => set(['sector'], e.target.value || null)}>
            <option value="">{t('rule.allSectors')}</option>
            {SECTORS.map((s) => (
              <option key={s} value={s}>
                {pick(session.units.find((u) => u.kind === 'sector_oc' && u.sector === s)?.name) || s}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('rule.deviceType')}
          <select name="deviceType" value={String(draft.deviceType ?? '')} onChange={(e) => set(['deviceType'], e.target.value || undefined)}>
            <option value="">{t('alerts.any')}</option>
            {Object.entries(DEVICE_TYPES).map(([id, info]) => (
              <option key={id} value={id}>
                {pick(info.name)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('rule.per')}
          <select name="per" value={String(draft.per ?? 'device')} onChange={(e) => set(['per'], e.target.value)}>
            <option value="device">{t('rule.per.device')}</option>
            <option value="area">{t('rule.per.area')}</option>
          </select>
        </label>
      </fieldset>
      <fieldset disabled={!may}>
        <legend>{t('rule.condition')}</legend>
        <ConditionEditor condition={draft.condition} path={['condition']} depth={1} attributes={attributes} errors={shown} disabled={!may} onChange={set} />
      </fieldset>
      <fieldset disabled={!may}>
        <legend>{t('rule.outcome')}</legend>
        <label>
          {t('rule.severity')}
          <select name="severity" value={String(draft.severity)} onChange={(e) => set(['severity'], e.target.value)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {pick(SEVERITY_NAMES[s])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('rule.route')}
          <select name="route" value={String(draft.route ?? 'area')} onChange={(e) => set(['route'], e.target.value)}>
            <option value="area">{t('rule.route.area')}</option>
            <option value="sector">{t('rule.route.sector')}</option>
          </select>
          {field(['route'])}
        </label>
        <label>
          {t('rule.reopen')}
          <input name="reopenMinutes" type="number" min={0} max={10080} value={String(draft.reopenMinutes ?? 30)} onChange={(e) => set(['reopenMinutes'], e.target.value === '' ? undefined : Number(e.target.value))} />
          {field(['reopenMinutes'])}
        </label>
        <label className="check">
          <input name="enabled" type="checkbox" checked={draft.enabled !== false} onChange={(e) => set(['enabled'], e.target.checked)} />
          {t('rule.enabled')}
        </label>
      </fieldset>
      {shown.length > 0 && <p className="error">{t('rule.problems', { count: shown.length })}</p>}
      <div className="buttons">
        <button type="submit" className="primary" disabled={!may || busy}>
          {t('rule.save')}
        </button>
        {version !== undefined && (
          <button type="button" className="danger" disabled={!may || busy} onClick={() => void remove()}>
            {t('rule.delete')}
          </button>
        )}
      </div>
      {message && (
        <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <BacktestPanel draft={draft} disabled={!may || errors.length > 0} />
    </form>
  );
}
