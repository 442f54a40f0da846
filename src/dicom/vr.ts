// Value Representation facts, from PS3.5 Table 6.2-1 and section 7.1.2.

export const VRS = [
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV',
  'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
] as const;

export type Vr = (typeof VRS)[number];

const KNOWN_VRS: ReadonlySet<string> = new Set(VRS);

export function isVr(text: string): text is Vr {
  return KNOWN_VRS.has(text);
}

/**
 * VRs whose explicit encoding has a 2-byte length (PS3.5 Table 7.1-2). This is the closed set;
 * every other VR, including any added in future, uses the 12-byte header with a 4-byte length.
 * (dicom-parser lists the open set instead and so misreads OV, SV and UV: its issue #284.)
 */
export const SHORT_LENGTH_VRS: ReadonlySet<Vr> = new Set<Vr>([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST',
  'TM', 'UI', 'UL', 'US',
]);

export function hasShortLength(vr: Vr): boolean {
  return SHORT_LENGTH_VRS.has(vr);
}

/** Character string VRs (PS3.5 6.2): padded with a space to even length. */
export const STRING_VRS: ReadonlySet<Vr> = new Set<Vr>([
  'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT',
]);

/** String VRs whose value may use the Specific Character Set (others are the default repertoire). */
export const CHARSET_VRS: ReadonlySet<Vr> = new Set<Vr>(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

/** String VRs that are single-valued text: a backslash is data, not a value separator. */
export const TEXT_VRS: ReadonlySet<Vr> = new Set<Vr>(['LT', 'ST', 'UT', 'UR']);

/** Maximum value length in bytes (PS3.5 Table 6.2-1) for string VRs that have one. */
export const MAX_STRING_BYTES: ReadonlyMap<Vr, number> = new Map<Vr, number>([
  ['AE', 16], ['AS', 4], ['CS', 16], ['DA', 8], ['DS', 16], ['DT', 26], ['IS', 12], ['LO', 64],
  ['LT', 10240], ['SH', 16], ['ST', 1024], ['TM', 14], ['UI', 64],
]);

/** PN allows 64 characters per component group, so the byte limit is checked per group. */
export const PN_GROUP_MAX_CHARS = 64;

/** UI values are padded with NUL; other strings with a space; binary values with NUL. */
export function paddingByte(vr: Vr): number {
  if (vr === 'UI') return 0x00;
  return STRING_VRS.has(vr) ? 0x20 : 0x00;
}
