import { useEffect, useState } from 'preact/hooks';
import { getSettings, logout, resume, type WebSession } from '../api/webmail';
import { browserLanguage, setLanguage, t, type Key, type Lang } from '../i18n';
import { Login } from './Login';
import { Mail } from './Mail';
import { MailModel } from './model';

type State = { kind: 'loading' } | { kind: 'login'; message: Key | null } | { kind: 'mail'; model: MailModel };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [lang, setLang] = useState<Lang>(() => {
    const l = browserLanguage();
    setLanguage(l);
    return l;
  });

  function changeLanguage(l: Lang | null) {
    const next = l ?? browserLanguage();
    setLanguage(next);
    setLang(next);
  }

  async function enter(web: WebSession) {
    const model = new MailModel(web, () => setState({ kind: 'login', message: 'sessionExpired' }));
    try {
      model.settings = await getSettings();
      if (model.settings.language) changeLanguage(model.settings.language);
      await model.start();
      setState({ kind: 'mail', model });
    } catch (e) {
      model.stop();
      if ((e as { status?: number }).status === 401) setState({ kind: 'login', message: 'sessionExpired' });
      else setState({ kind: 'login', message: null });
    }
  }

  useEffect(() => {
    resume()
      .then((s) => (s ? enter(s) : setState({ kind: 'login', message: null })))
      .catch(() => setState({ kind: 'login', message: null }));
  }, []);

  async function signOut(everywhere: boolean) {
    if (state.kind !== 'mail') return;
    state.model.stop();
    try {
      await logout(state.model.web.csrfToken, everywhere);
    } finally {
      setState({ kind: 'login', message: 'signedOut' });
    }
  }

  if (state.kind === 'loading')
    return (
      <p class="loading" role="status">
        {t('loading')}
      </p>
    );
  if (state.kind === 'login') return <Login key={lang} message={state.message} onLogin={(s) => void enter(s)} />;
  return <Mail key={lang} model={state.model} onSignOut={(all) => void signOut(all)} onLanguage={changeLanguage} />;
}
