import { deflateRawSync } from 'node:zlib';
import { byteOrderOf } from './byte-order.js';
import { decodeValue } from './decode-value.js';
import { firstTextOf, hasEdits, type DataSetEdits } from './edits.js';
import { MalformedDicomError, UnsupportedDicomError } from './errors.js';
import { planFileMeta, type OutputIdentity } from './plan-file-meta.js';
import type { DicomFile } from './read-file.js';
import { SOP_CLASS_UID, SOP_INSTANCE_UID, type Tag } from './tag.js';
import { planDataSet, type PlanContext } from './plan-data-set.js';
import { mergeSegments, segmentSize, type Segment } from '../io/segments.js';
import { checkWritable } from './writable-check.js';

export interface FilePlanOptions {
  /**
   * A bare data set (no File Meta Information) that is edited gets a preamble and a meta header,
   * so the output is a valid Part 10 file. Needs SOP Class and Instance UIDs; without them the
   * output stays bare. Default true.
   */
  readonly addFileMeta?: boolean;
  /** Write 128 zero bytes instead of the source's preamble (which may hold anything). Default false. */
  readonly zeroPreamble?: boolean;
  /** Further edits of the File Meta Information (our implementation and SOP Instance UID edits win). */
  readonly metaEdits?: DataSetEdits;
}

/** Offsets of the root directory records (PS3.3 F.3.2.1): present only in a DICOMDIR. */
const DIRECTORY_OFFSET_TAGS: ReadonlySet<Tag> = new Set([0x00041200, 0x00041202, 0x00041220]);

/** Where each output byte comes from: copies are file offsets of the source. */
export interface FilePlan {
  readonly segments: readonly Segment[];
  readonly size: number;
  /** What changed beyond the requested edits, for the caller to report. */
  readonly normalisations: readonly string[];
}

/**
 * Plans the output file. With no edits the output is the input, byte for byte (deflated data sets
 * are not re-deflated). With edits, the source is first checked for structures other readers
 * reject (refused, see writable-check.ts), the data set is spliced, the meta header is completed
 * and rebuilt (plan-file-meta.ts) and a deflated data set is deflated again.
 */
export function planFile(file: DicomFile, edits: DataSetEdits, options: FilePlanOptions = {}): FilePlan {
  const metaEdited = options.metaEdits !== undefined && hasEdits(options.metaEdits);
  if (!hasEdits(edits) && !metaEdited && !options.zeroPreamble) return { segments: [{ kind: 'copy', start: 0, end: file.size }], size: file.size, normalisations: [] };
  if (file.dataSet.some((element) => DIRECTORY_OFFSET_TAGS.has(element.tag))) {
    throw new UnsupportedDicomError('a DICOMDIR holds byte offsets to its own records and cannot be edited; build a new DICOMDIR from the edited files instead', { file: file.path });
  }
  // Whatever of the source goes into the output unchanged must be something other readers accept.
  checkWritable(file, edits);
  const normalisations: string[] = [];
  const dataSetBytes = file.inflated
    ? (start: number, end: number) => (file.inflated as Buffer).subarray(start, end)
    : (start: number, end: number) => requireLoaded(file, start, end);
  const context: PlanContext = { encoding: file.encoding, characterSet: [], bytes: dataSetBytes };
  let dataSet = planDataSet(file.dataSet, edits, context);
  if (file.inflated) {
    const inflated = file.inflated;
    const plain = Buffer.concat(dataSet.map((segment) => (segment.kind === 'copy' ? inflated.subarray(segment.start, segment.end) : segment.bytes)));
    dataSet = [{ kind: 'bytes', bytes: deflateRawSync(plain) }];
  }
  const identity: OutputIdentity = {
    sopClass: currentUid(file, edits, SOP_CLASS_UID),
    sopInstance: currentUid(file, edits, SOP_INSTANCE_UID),
    sopInstanceChanged: edits.get(SOP_INSTANCE_UID)?.op === 'set',
  };
  let head: Segment[];
  if (file.layout === 'raw') {
    if (options.addFileMeta !== false && identity.sopClass && identity.sopInstance) {
      head = [...newPreamble(), ...planFileMeta(file, identity, options.metaEdits).segments];
      normalisations.push('added a preamble and File Meta Information to a bare data set');
    } else {
      head = [];
      if (options.addFileMeta !== false) normalisations.push('bare data set kept without File Meta Information: it has no SOP Class or Instance UID');
    }
  } else {
    const metaStart = file.meta[0]?.start ?? file.dataSetStart;
    if (metaStart !== (file.layout === 'part10' ? 132 : 0)) throw new MalformedDicomError('unexpected bytes before the File Meta Information', { offset: 0 });
    const meta = planFileMeta(file, identity, options.metaEdits);
    if (meta.added.length > 0) normalisations.push(`added to the File Meta Information: ${meta.added.join(', ')}`);
    if (meta.missing.length > 0) normalisations.push(`File Meta Information still lacks ${meta.missing.join(', ')}: the data set has no value for it`);
    let preamble: Segment[];
    if (file.layout === 'part10') {
      preamble = [options.zeroPreamble ? { kind: 'bytes', bytes: Buffer.alloc(128) } : { kind: 'copy', start: 0, end: 128 }, { kind: 'copy', start: 128, end: 132 }];
    } else {
      // A Part 10 file starts with the preamble and "DICM" (PS3.10 7.1); this source had neither.
      preamble = newPreamble();
      normalisations.push('added the preamble and "DICM" prefix');
    }
    head = [...preamble, ...meta.segments];
  }
  // Non-deflated data set offsets are file offsets already; a deflated one is a single bytes segment.
  const segments = mergeSegments([...head, ...dataSet]);
  return { segments, size: segmentSize(segments), normalisations };
}

function newPreamble(): Segment[] {
  return [{ kind: 'bytes', bytes: Buffer.alloc(128) }, { kind: 'bytes', bytes: Buffer.from('DICM', 'latin1') }];
}

function requireLoaded(file: DicomFile, start: number, end: number): Uint8Array {
  const bytes = file.fileBytes.slice(start, end);
  if (!bytes) throw new RangeError(`bytes ${start}-${end} of ${file.path} are not in memory`);
  return bytes;
}

/** The UID the output will hold for `tag`: the edit's new value, else the source's. */
function currentUid(file: DicomFile, edits: DataSetEdits, tag: Tag): string | undefined {
  const edit = edits.get(tag);
  if (edit?.op === 'set') return firstTextOf(edit);
  if (edit?.op === 'remove') return undefined;
  const element = file.dataSet.find((candidate) => candidate.tag === tag);
  if (!element) return undefined;
  const bytes = file.inflated ? file.inflated.subarray(element.valueOffset, element.valueOffset + element.valueLength) : file.fileBytes.slice(element.valueOffset, element.valueOffset + element.valueLength);
  if (!bytes) return undefined;
  const decoded = decodeValue('UI', bytes, byteOrderOf(file.encoding.littleEndian));
  return decoded.kind === 'text' ? decoded.values[0] : undefined;
}
