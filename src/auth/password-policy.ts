/**
 * Password rules that stop the worst choices without being a nuisance (NIST SP 800-63B style): long enough, not
 * absurdly long, not one of the passwords every attacker tries first, not the user name. No composition rules
 * (they make passwords harder to remember, not harder to guess) (pure).
 */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** The start of every breach list; a password equal to one of these (ignoring case) is refused. */
const COMMON = new Set([
  '1234567890', '0123456789', '12345678910', '1234567891', '123456789a', 'qwertyuiop', 'qwerty1234', 'qwerty12345',
  'password12', 'password123', 'password1234', 'passw0rd12', 'iloveyou12', 'abcdefghij', 'abc1234567', 'letmein123',
  'welcome123', 'admin12345', 'administrator', 'changeme123', '1q2w3e4r5t', '1qaz2wsx3edc', 'zaq12wsxcde',
  'asdfghjkl1', 'football12', 'baseball12', 'sunshine12', 'princess12', 'dragon1234', 'monkey1234', 'trustno1234',
  'superman12', 'starwars12', 'whatever12', 'qazwsxedcrfv', 'sightline1', 'sightline123', 'camera1234', 'security123',
]);

/** Null when `password` is acceptable for `username`; otherwise what is wrong, in words. */
export function passwordProblem(password: string, username: string): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `expected at least ${MIN_PASSWORD_LENGTH} characters, got ${length}`;
  if (length > MAX_PASSWORD_LENGTH) return `expected at most ${MAX_PASSWORD_LENGTH} characters, got ${length}`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'this password is on every list of common passwords; choose another';
  if (new Set(lower).size <= 2) return 'a password of one or two repeated characters is guessed at once; choose another';
  const name = username.toLowerCase();
  if (name.length >= 3 && lower.includes(name)) return 'the password must not contain the user name';
  return null;
}
