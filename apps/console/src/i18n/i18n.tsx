import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type Lang, type MessageKey, translate } from './messages.ts';

export interface I18n {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  /** Picks the text of the current language from a bilingual value of the API. */
  pick: (b: { vi: string; en: string } | null | undefined) => string;
}

const STORAGE_KEY = 'haidang.lang';
const Ctx = createContext<I18n | null>(null);

const initialLang = (): Lang => (localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi');

/** Vietnamese by default; the choice is remembered in the browser. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(
    () => ({ lang, setLang, t: (key, vars) => translate(lang, key, vars), pick: (b) => (b ? b[lang] : '') }),
    [lang, setLang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
