// dicom-parser's own reading of a Part 10 file, to cross-check our walker against it. Test-only:
// the product uses dicom-parser only for its byte-order readers (src/dicom/byte-order.ts).
import { createRequire } from 'node:module';
import type DicomParser from 'dicom-parser';

const dicomParser = createRequire(import.meta.url)('dicom-parser') as typeof DicomParser;

/** One element as dicom-parser sees it, flattened in document order with its nesting depth. */
export interface DicomParserElement {
  readonly depth: number;
  readonly tag: number;
  readonly dataOffset: number;
  readonly length: number;
}

/**
 * dicom-parser's own reading of a Part 10 buffer, flattened in document order.
 * Throws whatever dicom-parser throws, wrapped in an Error.
 */
export function parseWithDicomParser(buffer: Buffer, transferSyntaxUid?: string): DicomParserElement[] {
  let dataSet: DicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(buffer, transferSyntaxUid === undefined ? {} : { TransferSyntaxUID: transferSyntaxUid });
  } catch (thrown) {
    throw new Error(`dicom-parser failed: ${typeof thrown === 'string' ? thrown : String((thrown as Error)?.message ?? thrown)}`);
  }
  const out: DicomParserElement[] = [];
  const walk = (set: DicomParser.DataSet, depth: number) => {
    for (const element of Object.values(set.elements)) {
      out.push({ depth, tag: Number.parseInt(element.tag.slice(1), 16) >>> 0, dataOffset: element.dataOffset, length: element.length });
      for (const item of element.items ?? []) {
        if (item.dataSet) walk(item.dataSet, depth + 1);
      }
    }
  };
  walk(dataSet, 0);
  return out;
}
