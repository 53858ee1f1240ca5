import { useState } from 'react';
import { api } from '../api/client.ts';
import type { AuditVerifyResult } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { mayVerifyChain } from './admin-access.ts';
import { problemsOf } from './form-errors.ts';

/** Checks the hash chain of the whole log (city-wide audit.read only) and says what it found. */
export function AuditVerify() {
  const { t } = useI18n();
  const session = useSession();
  const [result, setResult] = useState<AuditVerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refusal = mayVerifyChain(session.grants, session.tree) ? undefined : t('admin.audit.verifyCityOnly');
  const verify = async () => {
    setBusy(true);
    setResult(null);
    setError(null);
    try {
      setResult(await api<AuditVerifyResult>('GET', '/api/v1/audit/verify'));
    } catch (err) {
      setError(problemsOf(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="audit-verify">
      <button type="button" disabled={busy || !!refusal} title={refusal} onClick={() => void verify()}>
        {busy ? t('admin.audit.verifying') : t('admin.audit.verify')}
      </button>
      {refusal && <span className="muted">{refusal}</span>}
      {result?.ok && (
        <span className="ok" role="status" data-testid="audit-verify-result">
          {t('admin.audit.chainOk', { checked: result.checked })}
        </span>
      )}
      {result && !result.ok && (
        <span className="error" role="alert" data-testid="audit-verify-result">
          {t('admin.audit.chainBroken', { checked: result.checked, seq: result.firstBroken?.seq ?? '?', reason: result.firstBroken?.reason ?? '?' })}
        </span>
      )}
      {error && (
        <span className="error" role="alert">
          {t('app.error', { message: error })}
        </span>
      )}
    </div>
  );
}
