import { type FormEvent, useState } from 'react';
import { api, ApiError, setCsrfToken } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';

/** Sign-in with a username and password: a browser session (HttpOnly cookie + CSRF token). */
export function LoginPage({ expired, onSignedIn }: { expired: boolean; onSignedIn: () => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ csrfToken: string }>('POST', '/api/v1/auth/login', { username, password });
      setCsrfToken(r.csrfToken);
      onSignedIn();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('login.throttled') : err instanceof ApiError && err.status === 401 ? t('login.failed') : t('app.error', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">◉</span>
          <span>{t('app.short')}</span>
        </div>
        <h1 id="login-title">{t('login.title')}</h1>
        {expired && <p className="notice">{t('login.expired')}</p>}
        <label>
          {t('login.username')}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required maxLength={64} autoFocus />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required maxLength={256} />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('login.submit')}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
