// The leak gate's matcher: whether an original's value stands in an output's bytes or name as a whole
// value or whole tokens, so that a short value inside a longer one (1.1.1 inside
// 1.2.840.10008.5.1.4.1.1.1, a time among a new UID's digits) is no leak. verify.ts collects the
// values; this module alone decides what counts as found, and which values prove nothing.

/** A value of an original to search for; a UID only ever matches a whole UID. */
export interface Needle {
  readonly value: string;
  readonly uid: boolean;
}

/** Values shorter than this occur by chance too often to call a match a leak. */
export const MIN_NEEDLE_LENGTH = 5;

/** Our own dummy values: an output holds them because it was de-identified. */
const DUMMIES: ReadonlySet<string> = new Set(['ANONYMIZED', 'ANONYMOUS', '19000101', '19000101000000', '000000', 'urn:anonymized']);

/**
 * Whether a value proves nothing when found: shorter than 5 characters, one of our dummies, or a
 * single character repeated (`00000000`, `*****`): padding and placeholders, not anybody's data.
 */
export function provesNothing(value: string): boolean {
  return value.length < MIN_NEEDLE_LENGTH || DUMMIES.has(value) || /^(.)\1*$/su.test(value);
}

/**
 * The first offset at or after `from` where `pattern` stands as whole tokens: the bytes around it
 * are no letter or digit (any byte of a multi-byte character counts as a letter). A UID needs more:
 * no digit or `.` before it, and no digit or `.digit` after it, so it matches whole UIDs only.
 */
export function findWhole(haystack: Buffer, pattern: Buffer, uid: boolean, from = 0): number {
  if (pattern.length === 0) return -1;
  const first = pattern[0] as number;
  const last = pattern[pattern.length - 1] as number;
  for (let at = haystack.indexOf(pattern, from); at >= 0; at = haystack.indexOf(pattern, at + 1)) {
    const before = at > 0 ? haystack[at - 1] : undefined;
    const end = at + pattern.length;
    const after = haystack[end];
    if (uid ? uidBoundary(before, after, haystack[end + 1]) : tokenBoundary(first, before) && tokenBoundary(last, after)) return at;
  }
  return -1;
}

/** Whether `text` (a file name) holds the needle as whole tokens, in UTF-8 or Latin-1. */
export function textHolds(text: string, needle: Needle): boolean {
  const haystack = Buffer.from(text, 'utf8');
  return needleEncodings(needle).some((pattern) => findWhole(haystack, pattern, needle.uid) >= 0);
}

/** The needle's bytes as a file may hold them: Latin-1 and UTF-8 (one of them when they agree). */
export function needleEncodings(needle: Needle): Buffer[] {
  const latin1 = Buffer.from(needle.value, 'latin1');
  const utf8 = Buffer.from(needle.value, 'utf8');
  return latin1.equals(utf8) ? [utf8] : [latin1, utf8];
}

function isWordByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte >= 0x80;
}

/** A needle edge that is a letter or digit must not continue into one; a separator at its edge needs nothing. */
function tokenBoundary(edge: number, neighbour: number | undefined): boolean {
  return !isWordByte(edge) || neighbour === undefined || !isWordByte(neighbour);
}

const DOT = 0x2e;
const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;

function uidBoundary(before: number | undefined, after: number | undefined, afterNext: number | undefined): boolean {
  if (isDigit(before) || before === DOT) return false;
  return !isDigit(after) && !(after === DOT && isDigit(afterNext));
}
