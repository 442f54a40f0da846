import { execFileSync } from 'node:child_process';
import type { Tag } from '../../src/dicom/index.js';

/** One data element line of a dcmdump listing. */
export interface DumpedElement {
  /** Number of sequence items enclosing the element (0 = top level). */
  readonly depth: number;
  /** Tags of the enclosing sequences, outermost first. */
  readonly path: readonly Tag[];
  readonly tag: Tag;
  readonly vr: string;
  /** The value as dcmdump prints it: text without brackets, '' for "(no value available)". */
  readonly value: string;
}

const LINE = /^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*?) *# *(\S+), *(\S+) (.*)$/i;

/**
 * The data set elements of a file as DCMTK's dcmdump (an independent reader) sees them.
 * Items and delimiters are left out; dcmdump indents 2 spaces per item and per sequence.
 */
export function dcmdumpElements(file: string, extraArgs: readonly string[] = []): DumpedElement[] {
  const text = execFileSync('dcmdump', ['-q', '+L', '-dc', ...extraArgs, file], { encoding: 'latin1', maxBuffer: 256 << 20 });
  const elements: DumpedElement[] = [];
  const open: { indent: number; tag: Tag }[] = [];
  let inDataSet = !text.includes('# Dicom-Data-Set');
  for (const line of text.split('\n')) {
    if (line.startsWith('# Dicom-Data-Set')) inDataSet = true;
    const match = LINE.exec(line);
    if (!inDataSet || !match) continue;
    const [, indent = '', group = '', element = '', vr = '', raw = ''] = match;
    if (group.toLowerCase() === 'fffe') continue;
    const tag = Number.parseInt(group + element, 16) >>> 0;
    while ((open[open.length - 1]?.indent ?? -1) >= indent.length) open.pop();
    const path = open.map((entry) => entry.tag);
    open.push({ indent: indent.length, tag });
    // Trailing spaces are padding (PS3.5 6.2), not value; -dc leaves them in.
    const value = raw === '(no value available)' ? '' : raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1).replace(/ +$/, '') : raw;
    elements.push({ depth: path.length, path, tag, vr, value });
  }
  return elements;
}
