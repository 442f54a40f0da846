import { MAX_STRING_BYTES, PN_GROUP_MAX_CHARS, TEXT_VRS, type Vr } from '../dicom/vr.js';
import type { SiteAction } from './site-rules.js';

/** VRs whose values a hash action can replace with a keyed value: UIDs, and text a token is valid for. */
const HASHABLE: ReadonlySet<Vr> = new Set<Vr>(['AE', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT', 'UI']);

/** VRs a shift action moves by whole days; a time of day (TM) has no date to move. */
const SHIFTABLE: ReadonlySet<Vr> = new Set<Vr>(['DA', 'DT']);

/**
 * The syntax of a replace rule's value, per VR (PS3.5 6.2). Printable ASCII only, so that the value
 * can be written whatever a file's Specific Character Set; VRs not listed (binary, SQ) take no text.
 */
const VALUE_SYNTAX: Readonly<Partial<Record<Vr, RegExp>>> = {
  AE: /^[\x20-\x5b\x5d-\x7e]*$/,
  AS: /^\d{3}[DWMY]$/,
  CS: /^[A-Z0-9 _]*$/,
  DA: /^\d{8}$/,
  DS: /^ *[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)? *$/,
  DT: /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/,
  IS: /^ *[+-]?\d{1,10} *$/,
  LO: /^[\x20-\x5b\x5d-\x7e]*$/,
  LT: /^[\x20-\x7e\r\n\t\f]*$/,
  PN: /^[\x20-\x5b\x5d-\x7e]*$/,
  SH: /^[\x20-\x5b\x5d-\x7e]*$/,
  ST: /^[\x20-\x7e\r\n\t\f]*$/,
  TM: /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/,
  UC: /^[\x20-\x5b\x5d-\x7e]*$/,
  UI: /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/,
  UR: /^[\x21-\x5b\x5d-\x7e]*$/,
  UT: /^[\x20-\x7e\r\n\t\f]*$/,
};

/** Why `action` cannot apply to an attribute of VR `vr`, or undefined when it can. */
export function actionProblem(action: SiteAction, vr: Vr): string | undefined {
  if (action === 'hash' && !HASHABLE.has(vr)) {
    return SHIFTABLE.has(vr) || vr === 'TM' ? `hash does not apply to dates and times (VR ${vr}): use shift, keep, remove or empty` : `hash applies to UIDs and text, not to VR ${vr}: use keep, remove, empty or replace`;
  }
  if (action === 'shift' && !SHIFTABLE.has(vr)) {
    return vr === 'TM' ? 'shift moves dates by days, and a time of day (VR TM) has no date: keep, remove or empty it' : `shift applies to dates (VR DA or DT), not to VR ${vr}`;
  }
  if (action === 'replace' && VALUE_SYNTAX[vr] === undefined) return `replace takes text, and VR ${vr} is ${vr === 'SQ' ? 'a sequence' : 'binary'}: use keep, remove or empty`;
  return undefined;
}

/** Why `values` cannot be the value of an attribute of VR `vr`, or undefined when they can; never quotes them. */
export function valueProblem(vr: Vr, values: readonly string[]): string | undefined {
  if (values.length > 1 && TEXT_VRS.has(vr)) return `VR ${vr} holds one value, not a list`;
  const syntax = VALUE_SYNTAX[vr] as RegExp;
  for (const [index, value] of values.entries()) {
    const which = values.length > 1 ? `value ${index + 1}` : 'the value';
    if (value === '') return `${which} is empty: use the empty action`;
    if (!syntax.test(value)) return `${which} is not valid for VR ${vr}${SYNTAX_HINT[vr] ?? ' (printable ASCII, no backslash)'}`;
    const max = MAX_STRING_BYTES.get(vr);
    if (max !== undefined && value.length > max) return `${which} is ${value.length} characters; VR ${vr} allows ${max}`;
    if (vr === 'PN' && value.split('=').some((group) => group.length > PN_GROUP_MAX_CHARS)) return `${which} has a name component group longer than ${PN_GROUP_MAX_CHARS} characters`;
    if (vr === 'DA' && !isCalendarDate(value)) return `${which} is not a calendar date (YYYYMMDD)`;
    if (vr === 'IS' && Math.abs(Number(value)) > 2 ** 31 - 1) return `${which} is out of range for VR IS`;
  }
  return undefined;
}

const SYNTAX_HINT: Readonly<Partial<Record<Vr, string>>> = {
  AS: ' (nnnD, nnnW, nnnM or nnnY)',
  CS: ' (upper-case letters, digits, space and underscore)',
  DA: ' (YYYYMMDD)',
  DS: ' (a decimal number)',
  DT: ' (YYYYMMDDHHMMSS.FFFFFF&ZZXX, trailing parts optional)',
  IS: ' (a whole number)',
  LT: ' (printable ASCII and line breaks)',
  ST: ' (printable ASCII and line breaks)',
  TM: ' (HHMMSS.FFFFFF, trailing parts optional)',
  UI: ' (digits and dots, as 1.2.840.10008.1.2)',
  UR: ' (printable ASCII without spaces or backslash)',
  UT: ' (printable ASCII and line breaks)',
};

function isCalendarDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const day = Number(value.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
