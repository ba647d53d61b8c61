import { useState } from 'preact/hooks';
import { login, LoginError, type WebSession } from '../api/webmail';
import { t, type Key } from '../i18n';

const FAILURE: Record<string, Key> = {
  credentials: 'loginFailed',
  forbidden: 'loginForbidden',
  rateLimited: 'loginRateLimited',
  network: 'loginNetwork',
  server: 'loginServer',
};

export function Login(props: { message: Key | null; onLogin: (s: WebSession) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onLogin(await login(username.trim(), password));
    } catch (err) {
      const kind = err instanceof LoginError ? err.kind : 'server';
      setError(t(FAILURE[kind] ?? 'loginServer'));
      setBusy(false);
    }
  }

  return (
    <main class="login" aria-labelledby="login-title">
      <form class="login-box" onSubmit={submit}>
        <h1 id="login-title">{t('appName')}</h1>
        {props.message && !error && (
          <p class="notice" role="status">
            {t(props.message)}
          </p>
        )}
        {error && (
          <p class="notice error" role="alert">
            {error}
          </p>
        )}
        <label for="login-user">{t('emailAddress')}</label>
        <input id="login-user" type="email" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autofocus />
        <label for="login-pass">{t('password')}</label>
        <input id="login-pass" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </main>
  );
}
