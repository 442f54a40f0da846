// A text dump in the layout of DCMTK's dcmdump, and the same content as JSON.
import { keywordOf } from './dictionary.js';
import { dataSetScope, itemScope, metaScope, valueBytes, type DumpScope } from './dump-scope.js';
import { formatValue, jsonValue, NO_VALUE, type ValueText } from './format-value.js';
import type { DicomElement, DicomItem } from './model.js';
import type { FileLayout } from './detect-layout.js';
import type { DicomFile } from './read-file.js';
import { ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, formatTag, isPixelDataTag, type Tag } from './tag.js';
import type { Vr } from './vr.js';

/** One element of {@link dumpJson}. */
export interface DumpElement {
  /** "(GGGG,EEEE)". */
  readonly tag: string;
  readonly vr: Vr;
  readonly keyword: string;
  /** Value length in bytes; for undefined-length values, the bytes up to the delimitation item. */
  readonly length: number;
  readonly undefinedLength?: true;
  /** Offset of the element's first byte: in the file, or in the inflated data set for deflated syntaxes. */
  readonly offset: number;
  /**
   * Text values; numbers (64-bit integers beyond 2^53 and non-finite floats as strings); tags as
   * "(GGGG,EEEE)"; for OB, OW, OF, OD, OL, OV and UN the abbreviated dump text. Absent for
   * sequences, encapsulated and top-level pixel data.
   */
  readonly value?: string[] | (number | string)[] | string;
  /** Each item's elements, for sequences (SQ, or UN holding items). */
  readonly items?: DumpElement[][];
  /** Number of items of encapsulated pixel data, the Basic Offset Table included. */
  readonly fragments?: number;
  /** A delimitation item out of place at data set level, kept as is by the reader. */
  readonly stray?: true;
}

export interface DumpJson {
  readonly transferSyntax: { readonly uid: string; readonly name: string };
  readonly layout: FileLayout;
  readonly meta: DumpElement[];
  readonly dataSet: DumpElement[];
}

/** dcmdump's value column width (DCM_OptPrintValueLength). */
const VALUE_COLUMN = 40;
const NOT_LOADED = '(not loaded)';

/**
 * A dump in the layout of DCMTK's `dcmdump`: tags, VRs, values, lengths, VMs and keywords, items
 * and delimitation lines indented two spaces per level. Tags are upper case; text is decoded with
 * the Specific Character Set; control characters appear as "&#N;". Pixel Data's value is never read.
 */
export function formatDump(file: DicomFile): string {
  const lines = ['', '# Dicom-File-Format', '', '# Dicom-Meta-Information-Header'];
  lines.push(`# Used TransferSyntax: ${file.layout === 'raw' ? 'Unknown Transfer Syntax' : 'Little Endian Explicit'}`);
  const meta = metaScope(file);
  for (const element of file.meta) dumpElement(lines, element, 0, meta);
  lines.push('', '# Dicom-Data-Set', `# Used TransferSyntax: ${file.transferSyntax.name}`);
  const dataSet = dataSetScope(file);
  for (const element of file.dataSet) dumpElement(lines, element, 0, dataSet);
  return `${lines.join('\n')}\n`;
}

/** The dump as data: every element with its offsets, decoded value and items. */
export function dumpJson(file: DicomFile): DumpJson {
  const meta = metaScope(file);
  const dataSet = dataSetScope(file);
  return {
    transferSyntax: { uid: file.transferSyntax.uid, name: file.transferSyntax.name },
    layout: file.layout,
    meta: file.meta.map((element) => jsonElement(element, 0, meta)),
    dataSet: file.dataSet.map((element) => jsonElement(element, 0, dataSet)),
  };
}

function dumpElement(lines: string[], element: DicomElement, level: number, scope: DumpScope): void {
  const { tag, vr } = element;
  if (element.stray) {
    const name = keywordOf(tag);
    lines.push(line(level, tag, 'na', { text: `(stray ${name})`, vm: 0 }, 0, name));
  } else if (element.items) {
    dumpSequence(lines, element, element.items, level, scope);
  } else if (element.fragments) {
    lines.push(line(level, tag, vr, { text: `(PixelSequence #=${element.fragments.length})`, vm: 1 }, 'u/l', keywordOf(tag)));
    for (const fragment of element.fragments) {
      // Fragments are compressed frames, left on disk: only their lengths are known.
      const text = fragment.valueLength === 0 ? NO_VALUE : NOT_LOADED;
      lines.push(line(level + 1, ITEM, 'pi', { text, vm: 1 }, fragment.valueLength, 'Item'));
    }
    lines.push(line(level, SEQUENCE_DELIMITATION, 'na', { text: '(SequenceDelimitationItem)', vm: 0 }, 0, 'SequenceDelimitationItem'));
  } else {
    const length = element.undefinedLength ? 'u/l' : element.valueLength;
    lines.push(line(level, tag, vr, valueText(element, level, scope), length, keywordOf(tag)));
  }
}

function dumpSequence(lines: string[], element: DicomElement, items: readonly DicomItem[], level: number, scope: DumpScope): void {
  const kind = (undefinedLength: boolean) => (undefinedLength ? 'undefined' : 'explicit');
  const length = (of: { undefinedLength: boolean; valueLength: number }) => (of.undefinedLength ? 'u/l' : of.valueLength);
  const header = { text: `(Sequence with ${kind(element.undefinedLength)} length #=${items.length})`, vm: 1 };
  lines.push(line(level, element.tag, element.vr, header, length(element), keywordOf(element.tag)));
  for (const item of items) {
    const itemHeader = { text: `(Item with ${kind(item.undefinedLength)} length #=${item.elements.length})`, vm: 1 };
    lines.push(line(level + 1, ITEM, 'na', itemHeader, length(item), 'Item'));
    const inner = itemScope(scope, element, item);
    for (const child of item.elements) dumpElement(lines, child, level + 2, inner);
    const end = item.undefinedLength ? '(ItemDelimitationItem)' : '(ItemDelimitationItem for re-encoding)';
    lines.push(line(level + 1, ITEM_DELIMITATION, 'na', { text: end, vm: 0 }, 0, 'ItemDelimitationItem'));
  }
  const end = element.undefinedLength ? '(SequenceDelimitationItem)' : '(SequenceDelimitationItem for re-encod.)';
  lines.push(line(level, SEQUENCE_DELIMITATION, 'na', { text: end, vm: 0 }, 0, 'SequenceDelimitationItem'));
}

function valueText(element: DicomElement, level: number, scope: DumpScope): ValueText {
  // Top-level Pixel Data may be on disk only; it is never read, whatever happens to be in memory.
  if (level === 0 && isPixelDataTag(element.tag)) return { text: NOT_LOADED, vm: 1 };
  const bytes = valueBytes(scope, element);
  if (!bytes) return { text: NOT_LOADED, vm: 1 };
  return formatValue(element.vr, bytes, scope.order, scope.characterSet);
}

/** One dcmdump line: indentation, tag, VR, value padded to its column, "# length, VM keyword". */
function line(level: number, tag: Tag, vr: string, value: ValueText, length: number | 'u/l', name: string): string {
  const padded = value.text.padEnd(VALUE_COLUMN);
  return `${'  '.repeat(level)}${formatTag(tag)} ${vr} ${padded} # ${String(length).padStart(3)},${String(value.vm).padStart(2)} ${name}`;
}

function jsonElement(element: DicomElement, level: number, scope: DumpScope): DumpElement {
  const base = {
    tag: formatTag(element.tag),
    vr: element.vr,
    keyword: keywordOf(element.tag),
    length: element.valueLength,
    ...(element.undefinedLength ? { undefinedLength: true as const } : {}),
    offset: element.start,
  };
  if (element.stray) return { ...base, stray: true };
  const { items, fragments } = element;
  if (items) {
    return {
      ...base,
      items: items.map((item) => {
        const inner = itemScope(scope, element, item);
        return item.elements.map((child) => jsonElement(child, level + 1, inner));
      }),
    };
  }
  if (fragments) return { ...base, fragments: fragments.length };
  if (level === 0 && isPixelDataTag(element.tag)) return base;
  const bytes = valueBytes(scope, element);
  return bytes ? { ...base, value: jsonValue(element.vr, bytes, scope.order, scope.characterSet) } : base;
}
