// The File Meta Information of an edited output (PS3.10 7.1): every required element present, our
// implementation named, and the transfer syntax the data set is actually written in.
import type { DataSetEdits, ElementEdit } from './edits.js';
import { stringValue } from './decode-value.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './implementation.js';
import { EXPLICIT_LITTLE } from './model.js';
import type { DicomFile } from './read-file.js';
import { TRANSFER_SYNTAX_UID, formatTag, type Tag } from './tag.js';
import { encodeNew } from './encode-element.js';
import { planDataSet, type PlanContext } from './plan-data-set.js';
import { segmentSize, type Segment } from '../io/segments.js';

const GROUP_LENGTH: Tag = 0x00020000;
const VERSION: Tag = 0x00020001;
const MEDIA_STORAGE_SOP_CLASS_UID: Tag = 0x00020002;
const MEDIA_STORAGE_SOP_INSTANCE_UID: Tag = 0x00020003;
const IMPLEMENTATION_CLASS: Tag = 0x00020012;
const IMPLEMENTATION_VERSION: Tag = 0x00020013;

/** The data set's identity as the output holds it; the meta header must agree with it. */
export interface OutputIdentity {
  readonly sopClass: string | undefined;
  readonly sopInstance: string | undefined;
  /** An edit gives the SOP Instance UID a new value, which (0002,0003) follows. */
  readonly sopInstanceChanged: boolean;
}

export interface PlannedMeta {
  readonly segments: Segment[];
  /** Required elements the source's meta lacked and that were added ("(0002,0002)"): tags only. */
  readonly added: readonly string[];
  /** Required elements that stay missing: the data set has nothing to fill them from. */
  readonly missing: readonly string[];
}

/**
 * Plans group 0002 of an edited output from the source's meta elements (none for a bare data set),
 * the caller's further edits, and ours, which win: version 00\01, Media Storage SOP Class and
 * Instance UIDs when missing (the latter following a new SOP Instance UID), the transfer syntax
 * used, our implementation. Every other element is copied; the group length comes first, computed.
 */
export function planFileMeta(file: DicomFile, identity: OutputIdentity, further: DataSetEdits | undefined): PlannedMeta {
  const present = new Set(file.meta.map((element) => element.tag));
  const edits = new Map<Tag, ElementEdit>(further ?? []);
  edits.delete(GROUP_LENGTH); // computed below, never taken from an edit
  const added: string[] = [];
  const missing: string[] = [];
  const require = (tag: Tag, value: string | undefined) => {
    if (present.has(tag) && edits.get(tag)?.op !== 'remove') return;
    if (value === undefined) {
      missing.push(formatTag(tag));
      edits.delete(tag);
      return;
    }
    edits.set(tag, { op: 'set', vr: 'UI', value });
    added.push(formatTag(tag));
  };
  if (!present.has(VERSION)) added.push(formatTag(VERSION));
  edits.set(VERSION, { op: 'set', vr: 'OB', value: Uint8Array.of(0, 1) });
  require(MEDIA_STORAGE_SOP_CLASS_UID, identity.sopClass);
  if (identity.sopInstanceChanged && identity.sopInstance !== undefined) edits.set(MEDIA_STORAGE_SOP_INSTANCE_UID, { op: 'set', vr: 'UI', value: identity.sopInstance });
  else require(MEDIA_STORAGE_SOP_INSTANCE_UID, identity.sopInstance);
  // Absent or empty in a source read by its first data element: say what was detected.
  if (transferSyntaxText(file) !== file.transferSyntax.uid) {
    if (!present.has(TRANSFER_SYNTAX_UID)) added.push(formatTag(TRANSFER_SYNTAX_UID));
    edits.set(TRANSFER_SYNTAX_UID, { op: 'set', vr: 'UI', value: file.transferSyntax.uid });
  }
  if (!present.has(IMPLEMENTATION_CLASS)) added.push(formatTag(IMPLEMENTATION_CLASS));
  if (!present.has(IMPLEMENTATION_VERSION)) added.push(formatTag(IMPLEMENTATION_VERSION));
  edits.set(IMPLEMENTATION_CLASS, { op: 'set', vr: 'UI', value: IMPLEMENTATION_CLASS_UID });
  edits.set(IMPLEMENTATION_VERSION, { op: 'set', vr: 'SH', value: IMPLEMENTATION_VERSION_NAME });

  const context: PlanContext = { encoding: EXPLICIT_LITTLE, characterSet: [], bytes: (start, end) => metaBytes(file, start, end) };
  // planDataSet recomputes a group length that is there (its group changed: our elements are set).
  const segments = planDataSet(file.meta, edits, context);
  if (!present.has(GROUP_LENGTH)) {
    added.unshift(formatTag(GROUP_LENGTH));
    segments.unshift({ kind: 'bytes', bytes: encodeNew(GROUP_LENGTH, 'UL', [segmentSize(segments)], context) });
  }
  return { segments, added, missing };
}

function transferSyntaxText(file: DicomFile): string | undefined {
  const element = file.meta.find((candidate) => candidate.tag === TRANSFER_SYNTAX_UID);
  return element && stringValue(metaBytes(file, element.valueOffset, element.valueOffset + element.valueLength));
}

function metaBytes(file: DicomFile, start: number, end: number): Uint8Array {
  const bytes = file.fileBytes.slice(start, end);
  if (!bytes) throw new RangeError(`bytes ${start}-${end} of ${file.path} are not in memory`);
  return bytes;
}
