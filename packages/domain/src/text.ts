/** A text in Vietnamese and English (every user-facing text has both). */
export interface Bilingual {
  vi: string;
  en: string;
}

/**
 * Folds Vietnamese text for search: lower case, no diacritics, đ → d. "Cẩm Lệ", "cam le" and
 * "CAM LE" fold to the same key.
 */
export function foldVietnamese(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}
