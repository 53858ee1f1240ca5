import { useI18n } from '../i18n/i18n.tsx';

/** Switches between Vietnamese and English. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <button type="button" className="lang-switch" aria-label={t('app.language')} onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
      {t('app.switchLanguage')}
    </button>
  );
}
