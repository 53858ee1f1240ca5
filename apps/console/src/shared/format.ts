import type { Lang } from '../i18n/messages.ts';

/** The city's time zone: every time on screen is shown in it (storage and the API are UTC). */
export const CITY_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const LOCALES: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: Lang, kind: 'dateTime' | 'time' | 'date'): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = formatters.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === 'time'
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : kind === 'date'
          ? { day: '2-digit', month: '2-digit', year: 'numeric' }
          : { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    f = new Intl.DateTimeFormat(LOCALES[lang], { ...opts, timeZone: CITY_TIME_ZONE });
    formatters.set(key, f);
  }
  return f;
}

/** An instant (ISO text or epoch ms) as the city's local date and time, e.g. "25/11/2026, 14:05:09". */
export function formatDateTime(at: string | number | null | undefined, lang: Lang): string {
  if (at === null || at === undefined) return '—';
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '—' : formatter(lang, 'dateTime').format(d);
}

/** Hours and minutes in the city's time zone (chart axes). */
export function formatTime(at: string | number, lang: Lang): string {
  return formatter(lang, 'time').format(new Date(at));
}

/** A number for people: grouping and at most `digits` decimals, in the language's convention. */
export function formatNumber(v: number | null | undefined, lang: Lang, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: digits }).format(v);
}

/** "5 phút trước" / "5 min ago": how long ago, coarse. */
export function formatAgo(at: string | number, now: number, lang: Lang): string {
  const s = Math.max(0, Math.round((now - new Date(at).getTime()) / 1000));
  const [n, unitVi, unitEn] = s < 60 ? [s, 'giây', 's'] : s < 3600 ? [Math.floor(s / 60), 'phút', 'min'] : s < 86_400 ? [Math.floor(s / 3600), 'giờ', 'h'] : [Math.floor(s / 86_400), 'ngày', 'd'];
  return lang === 'vi' ? `${n} ${unitVi} trước` : `${n} ${unitEn} ago`;
}
