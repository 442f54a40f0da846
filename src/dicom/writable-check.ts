// What we must not write: structures our reader accepts but other readers reject (checked against
// DCMTK's dcmdump, see test/writable-check.test.ts). An output is spliced from the source, so a
// source holding one is refused with the tag, never copied through.
import { lookupTag } from './dictionary.js';
import type { DataSetEdits } from './edits.js';
import { UnwritableDicomError } from './errors.js';
import type { DicomElement, Encoding } from './model.js';
import type { DicomFile } from './read-file.js';
import { PIXEL_DATA, SEQUENCE_DELIMITATION, tagElement, tagGroup, type Tag } from './tag.js';

const NO_EDITS: DataSetEdits = new Map();

/**
 * Throws an UnwritableDicomError (an UnsupportedDicomError) naming the first element the output would copy from `file` that
 * other readers cannot read. Elements that `edits` remove or replace do not count: replacements
 * are encoded by us.
 */
export function checkWritable(file: DicomFile, edits: DataSetEdits): void {
  const refuse = (problem: string, element: DicomElement) => {
    throw new UnwritableDicomError(`${problem}; other readers (DCMTK) reject it, so it is not copied into an output`, {
      tag: element.tag,
      tagOfParsedFile: true,
      offset: element.start,
      file: file.path,
      inflated: file.inflated !== undefined,
    });
  };
  const visit = (elements: readonly DicomElement[], levelEdits: DataSetEdits, encoding: Encoding) => {
    for (const element of elements) {
      if (element.stray) {
        // DCMTK takes a stray Sequence Delimitation Item for a missing Item Delimitation Item and
        // fails; stray Item Delimitation Items (and other zero-length group FFFE tags) it skips.
        if (element.tag === SEQUENCE_DELIMITATION) refuse('a Sequence Delimitation Item outside any sequence', element);
        continue;
      }
      const edit = levelEdits.get(element.tag);
      if (edit?.op === 'remove' || edit?.op === 'set' || edit?.op === 'encapsulated') continue;
      const problem = problemOf(element, encoding);
      if (problem) refuse(problem, element);
      const itemEncoding = element.itemEncoding ?? encoding;
      element.items?.forEach((item, index) => visit(item.elements, (edit?.op === 'items' ? edit.items.get(index) : undefined) ?? NO_EDITS, itemEncoding));
    }
  };
  visit(file.dataSet, edits, file.encoding);
}

function problemOf(element: DicomElement, encoding: Encoding): string | undefined {
  // In Implicit VR a reader takes a sequence from its dictionary; these bytes hold no items (a
  // retired tag reused with another VR), so it would parse them as items and fail.
  if (!encoding.explicitVr && element.vr === 'UN' && !element.items && element.valueLength > 0 && lookupTag(element.tag)?.vrs[0] === 'SQ') {
    return 'a value without items where an Implicit VR reader expects a sequence (SQ in the dictionary)';
  }
  if (!element.undefinedLength) return undefined;
  // Pixel Data may be encapsulated at any level (an Icon Image Sequence's too); nothing else may.
  if (element.fragments) return element.tag === PIXEL_DATA ? undefined : 'encapsulated fragments (undefined length) outside Pixel Data (7FE0,0010)';
  // In Implicit VR a reader takes the VR from its dictionary. DCMTK's reads every (gggg,0010-00FF) of
  // an odd group as a private creator, LO, illegal groups too (ours: UN, so a sequence); LO cannot
  // have an undefined length. (Group lengths, UL, both dictionaries agree on: refused on reading.)
  if (!encoding.explicitVr && isCreatorSlot(element.tag)) return 'an undefined length where an Implicit VR reader expects a private creator (LO)';
  return undefined;
}

/** (gggg,0010-00FF) in any odd group, the illegal ones (0001-0007, FFFF) included. */
function isCreatorSlot(tag: Tag): boolean {
  const element = tagElement(tag);
  return (tagGroup(tag) & 1) === 1 && element >= 0x0010 && element <= 0x00ff;
}
