// The UIDs of the File Meta Information that identify something of the source (PS3.10 7.1): the
// Media Storage SOP Instance UID above all, which a data set without SOP Instance UID cannot
// correct. The planner keys them like the data set's UIDs; verify checks them.
import { byteOrderOf } from '../dicom/byte-order.js';
import { decodeValue } from '../dicom/decode-value.js';
import type { DicomElement } from '../dicom/model.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';
import { STANDARD_UID_ROOT } from './nested-rules.js';

/** Meta UIDs that name a standard SOP class, the encoding or the implementation, never an instance. */
const NAMING_UIDS: ReadonlySet<Tag> = new Set([0x00020002, 0x00020010, 0x00020012]);

export interface MetaUid {
  readonly element: DicomElement;
  /** Every value of the element, standard UIDs and empty values included. */
  readonly values: readonly string[];
}

/** The meta header's UID elements that may identify the source (all but the naming ones). */
export function metaInstanceUids(file: DicomFile): MetaUid[] {
  const found: MetaUid[] = [];
  for (const element of file.meta) {
    if (element.vr !== 'UI' || NAMING_UIDS.has(element.tag)) continue;
    // The meta header is never deflated: its values are file bytes, even in a deflated file.
    const bytes = file.fileBytes.slice(element.valueOffset, element.valueOffset + element.valueLength);
    const decoded = bytes && decodeValue('UI', bytes, byteOrderOf(true));
    if (decoded?.kind === 'text') found.push({ element, values: decoded.values });
  }
  return found;
}

/** Whether a UID value stays as it is when UIDs are keyed: empty, or a UID of the standard itself. */
export function keptMetaUid(uid: string): boolean {
  return uid === '' || uid.startsWith(STANDARD_UID_ROOT);
}
