import type { ElementValue } from '../dicom/edits.js';
import type { Vr } from '../dicom/vr.js';

// Values for the D action: non-empty, valid for the VR, and saying nothing about anyone.
const DUMMY_TEXT: Partial<Record<Vr, string>> = {
  AE: 'ANONYMOUS',
  AS: '000Y',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  PN: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  TM: '000000',
  UC: 'ANONYMIZED',
  UR: 'urn:anonymized',
  UT: 'ANONYMIZED',
};

/** The dummy for `vr`; binary values become zeros of the original length (at least one value). */
export function dummyValue(vr: Vr, originalLength: number): ElementValue {
  const text = DUMMY_TEXT[vr];
  if (text !== undefined) return text;
  switch (vr) {
    case 'US':
    case 'SS':
    case 'UL':
    case 'SL':
    case 'FL':
    case 'FD':
    case 'AT':
      return [0];
    case 'SV':
    case 'UV':
      return [0n];
    default:
      return new Uint8Array(Math.max(2, originalLength + (originalLength % 2)));
  }
}
