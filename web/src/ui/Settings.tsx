// Settings: language, the read-receipt choice (read-only when the administrator's
// policy decides), the vacation response (VacationResponse/get and /set), and signing
// out everywhere.

import { useEffect, useState } from 'preact/hooks';
import { putSettings, type ReceiptChoice } from '../api/webmail';
import type { VacationResponse } from '../jmap/types';
import { t, type Lang } from '../i18n';
import type { MailModel } from './model';
import { Dialog } from './Dialog';

export function SettingsDialog(props: { model: MailModel; onClose: () => void; onLanguage: (l: Lang | null) => void; onSignOutEverywhere: () => void }) {
  const { model } = props;
  const s = model.settings;
  const [lang, setLang] = useState<string>(s?.language ?? '');
  const [choice, setChoice] = useState<ReceiptChoice>(s?.receipts.choice ?? 'ask');
  const [vac, setVac] = useState<VacationResponse | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);

  useEffect(() => {
    model.client
      .call('VacationResponse/get', { ids: ['singleton'] })
      .then((r) => setVac(r.get<{ list: VacationResponse[] }>().list[0] ?? null))
      .catch((e) => setErr((e as Error).message));
  }, []);

  async function save(e: Event) {
    e.preventDefault();
    setErr(null);
    try {
      const change: { language: 'en' | 'de' | null; receiptChoice?: ReceiptChoice } = { language: lang === 'en' || lang === 'de' ? lang : null };
      if (!s?.receipts.locked) change.receiptChoice = choice;
      model.settings = await putSettings(model.web.csrfToken, change);
      if (vac) {
        const r = await model.client.call('VacationResponse/set', {
          update: {
            singleton: {
              isEnabled: vac.isEnabled,
              subject: vac.subject || null,
              textBody: vac.textBody || null,
              fromDate: vac.fromDate || null,
              toDate: vac.toDate || null,
            },
          },
        });
        const res = r.get<{ notUpdated?: Record<string, { description?: string; type: string }> | null }>();
        const bad = res.notUpdated?.singleton;
        if (bad) throw new Error(bad.description ?? bad.type);
      }
      setMsg(t('saved'));
      props.onLanguage(model.settings.language);
    } catch (x) {
      setErr((x as Error).message);
    }
  }

  const dateValue = (iso: string | null) => (iso ? iso.slice(0, 10) : '');
  const isoOf = (v: string) => (v ? `${v}T00:00:00Z` : null);
  const locked = !!s?.receipts.locked;
  return (
    <Dialog title={t('settings')} onClose={props.onClose} wide>
      <form onSubmit={save} class="settings">
        <div class="field">
          <label for="set-lang">{t('language')}</label>
          <select id="set-lang" value={lang} onChange={(e) => setLang(e.currentTarget.value)}>
            <option value="">{t('languageAuto')}</option>
            <option value="en">English</option>
            <option value="de">Deutsch</option>
          </select>
        </div>
        <fieldset>
          <legend>{t('receiptsSetting')}</legend>
          {(['ask', 'always', 'never'] as const).map((c) => (
            <label class="check" key={c}>
              <input type="radio" name="receipt-choice" value={c} checked={choice === c} disabled={locked} onChange={() => setChoice(c)} />{' '}
              {t(c === 'ask' ? 'receiptAsk' : c === 'always' ? 'receiptAlways' : 'receiptNever')}
            </label>
          ))}
          {locked && <p class="muted">{t('receiptLocked', { reason: s?.receipts.lockedReason ?? '' })}</p>}
        </fieldset>
        {vac && (
          <fieldset>
            <legend>{t('vacation')}</legend>
            <label class="check">
              <input type="checkbox" checked={vac.isEnabled} onChange={(e) => setVac({ ...vac, isEnabled: e.currentTarget.checked })} /> {t('vacationEnabled')}
            </label>
            <div class="field">
              <label for="vac-subject">{t('vacationSubject')}</label>
              <input id="vac-subject" value={vac.subject ?? ''} onInput={(e) => setVac({ ...vac, subject: e.currentTarget.value })} />
            </div>
            <div class="field">
              <label for="vac-text">{t('vacationText')}</label>
              <textarea id="vac-text" rows={4} value={vac.textBody ?? ''} onInput={(e) => setVac({ ...vac, textBody: e.currentTarget.value })} />
            </div>
            <div class="field-row">
              <div class="field">
                <label for="vac-from">{t('vacationFrom')}</label>
                <input id="vac-from" type="date" value={dateValue(vac.fromDate)} onInput={(e) => setVac({ ...vac, fromDate: isoOf(e.currentTarget.value) })} />
              </div>
              <div class="field">
                <label for="vac-to">{t('vacationTo')}</label>
                <input id="vac-to" type="date" value={dateValue(vac.toDate)} onInput={(e) => setVac({ ...vac, toDate: isoOf(e.currentTarget.value) })} />
              </div>
            </div>
          </fieldset>
        )}
        {err && (
          <p class="notice error" role="alert">
            {err}
          </p>
        )}
        {msg && !err && <p role="status">{msg}</p>}
        <div class="dialog-buttons">
          <button type="submit" class="primary">
            {t('save')}
          </button>
          <button type="button" onClick={props.onClose}>
            {t('close')}
          </button>
          <button type="button" onClick={props.onSignOutEverywhere}>
            {t('signOutEverywhere')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export const SHORTCUTS: [string, Parameters<typeof t>[0]][] = [
  ['j', 'keyNext'],
  ['k', 'keyPrev'],
  ['Enter', 'keyOpen'],
  ['r', 'keyReply'],
  ['a', 'keyReplyAll'],
  ['f', 'keyForward'],
  ['c', 'keyCompose'],
  ['#', 'keyDelete'],
  ['/', 'keySearch'],
  ['u', 'keyUnread'],
  ['s', 'keyFlag'],
  ['?', 'keyHelp'],
];

export function HelpDialog(props: { onClose: () => void }) {
  return (
    <Dialog title={t('shortcuts')} onClose={props.onClose}>
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, label]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{t(label)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="dialog-buttons">
        <button type="button" onClick={props.onClose}>
          {t('close')}
        </button>
      </div>
    </Dialog>
  );
}
