// Which original an output was made from, so that the leak gate compares each output with its own
// original only. An output is known by its SOP Instance UID (the data set's, and the meta header's):
// the original's own when UIDs were kept (or the original was copied among the outputs), else keyed
// from it with the secret. An output with neither is named by a keyed token of its original's path.
import path from 'node:path';
import { textAt } from '../dicom/element-access.js';
import { DicomError, NotDicomError } from '../dicom/errors.js';
import { readDicomFile, type DicomFile } from '../dicom/read-file.js';
import { metaInstanceUids } from '../deid/meta-uids.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';

const SOP_INSTANCE_UID = 0x00080018;
const MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;

/** A file under `--against` that could not be read: the reason names offsets and tags, never a value. */
export interface UnreadableOriginal {
  readonly path: string;
  readonly reason: string;
}

/** The originals by the identities their outputs carry; `keys` (the secret) finds keyed outputs. */
export class OriginalIndex {
  private readonly byIdentity = new Map<string, string[]>();
  readonly unreadable: UnreadableOriginal[] = [];
  /** Files that are not DICOM at all: nothing was made from them. */
  notDicom = 0;

  constructor(originals: readonly string[], keys: Pseudonymizer | undefined) {
    for (const original of originals) {
      let file: DicomFile;
      try {
        file = readDicomFile(original);
      } catch (error) {
        if (error instanceof NotDicomError) this.notDicom++;
        else if (error instanceof DicomError) this.unreadable.push({ path: original, reason: error.message });
        else throw error;
        continue;
      }
      const uids = instanceUids(file);
      for (const uid of uids) {
        this.add(`uid:${uid}`, original);
        if (keys) this.add(`uid:${keys.uid(uid)}`, original);
      }
      if (uids.length === 0 && keys) this.add(`name:anon-${keys.token(path.resolve(original))}`, original);
    }
  }

  /** The originals `output` may have been made from: several when originals share a SOP Instance UID. */
  originalsOf(output: DicomFile, outputPath: string): string[] {
    const keys = instanceUids(output).map((uid) => `uid:${uid}`);
    keys.push(`name:${path.basename(outputPath).replace(/(?:-\d+)?\.dcm$/, '')}`);
    return [...new Set(keys.flatMap((key) => this.byIdentity.get(key) ?? []))];
  }

  private add(key: string, original: string): void {
    const list = this.byIdentity.get(key);
    if (!list) this.byIdentity.set(key, [original]);
    else if (!list.includes(original)) list.push(original);
  }
}

/** SOP Instance UID of the data set and Media Storage SOP Instance UID of the meta header, each once. */
function instanceUids(file: DicomFile): string[] {
  const meta = metaInstanceUids(file).filter(({ element }) => element.tag === MEDIA_STORAGE_SOP_INSTANCE_UID).flatMap(({ values }) => values);
  return [...new Set([...textAt(file, [], SOP_INSTANCE_UID), ...meta].filter((uid) => uid !== ''))];
}
