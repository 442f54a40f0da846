import type { Tag } from '../../src/dicom/tag.js';
import { parseDump, runDcmdump } from './dcmdump.js';

/** One data set element as DCMTK's dcmdump (an independent reader) sees it, with its ancestry. */
export interface DumpedElement {
  /** Number of sequence items enclosing the element (0 = top level). */
  readonly depth: number;
  /** Tags of the enclosing sequences, outermost first. */
  readonly path: readonly Tag[];
  readonly tag: Tag;
  readonly vr: string;
  /** The value as dcmdump prints it: text without brackets and padding, '' for "(no value available)". */
  readonly value: string;
}

/** The data set elements of `file` per dcmdump (-dc: no automatic corrections that could hide our errors). */
export function dcmdumpElements(file: string, extraArgs: readonly string[] = []): DumpedElement[] {
  const lines = parseDump(runDcmdump(file, ['-q', '+L', '+Qn', '-dc', ...extraArgs])).filter((line) => line.section === 'dataSet');
  const open: { depth: number; tag: Tag }[] = [];
  return lines.map((line) => {
    const tag = Number.parseInt(line.tag.replace(/[(),]/g, ''), 16) >>> 0;
    while ((open[open.length - 1]?.depth ?? -1) >= line.depth) open.pop();
    const path = open.map((entry) => entry.tag);
    open.push({ depth: line.depth, tag });
    const raw = line.value;
    // Trailing spaces are padding (PS3.5 6.2), not value; -dc leaves them in.
    const value = raw === '(no value available)' ? '' : raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1).replace(/ +$/, '') : raw;
    return { depth: path.length, path, tag, vr: line.vr, value };
  });
}
