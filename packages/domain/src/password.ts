import type { FieldError } from './errors.ts';
import { fieldError } from './result.ts';
import { foldVietnamese } from './text.ts';

/**
 * The password policy: long rather than clever (NIST SP 800-63B §5.1.1.2 favours length and a
 * blocklist over composition rules); a short password must mix kinds of characters.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;
/** From this length on, any mix of characters is accepted (a passphrase). */
const PASSPHRASE_MIN = 20;

/** Passwords too common to allow, compared on their letters only (no diacritics, case, digits or symbols). */
const COMMON = new Set([
  'password', 'passwordpassword', 'qwertyuiop', 'qwertyqwerty', 'matkhau', 'matkhaumoi', 'admin', 'administrator',
  'danang', 'thanhphodanang', 'haidang', 'iloveyou', 'abcdefgh', 'abcdefghijkl', 'welcome', 'letmein', 'changeme',
  'trungtamdieuhanh', 'ioc', 'iocdanang',
]);

export function checkPassword(password: string, user: { username: string; displayName?: string }): FieldError[] {
  const errs: FieldError[] = [];
  const field = 'password';
  if (password.length < PASSWORD_MIN) errs.push(fieldError(field, 'too_short', `at least ${PASSWORD_MIN} characters`));
  if (password.length > PASSWORD_MAX) errs.push(fieldError(field, 'too_long', `at most ${PASSWORD_MAX} characters`));
  if (errs.length) return errs;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (password.length < PASSPHRASE_MIN && classes < 3) {
    errs.push(fieldError(field, 'too_simple', `use ${PASSPHRASE_MIN}+ characters, or mix at least three of: lower case, upper case, digits, symbols`));
  }
  const folded = foldVietnamese(password).toLowerCase();
  const core = folded.replace(/[^a-z]/g, '');
  if (COMMON.has(core) || /^(.)\1+$/.test(password) || /^(0123456789|1234567890|123456789012)/.test(password)) {
    errs.push(fieldError(field, 'too_common', 'this password is too common'));
  }
  const name = foldVietnamese(user.username).toLowerCase();
  if (name.length >= 3 && folded.includes(name)) errs.push(fieldError(field, 'contains_username', 'the password must not contain the username'));
  return errs;
}
