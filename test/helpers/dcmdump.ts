// Runs DCMTK's dcmdump, the independent reader our dumps are checked against (Debian package dcmtk).
import { spawnSync } from 'node:child_process';

/**
 * dcmdump's standard output for one file. Decoded as latin1, so every byte of a value in another
 * character set survives as one character. Throws, with dcmdump's standard error, when it fails.
 */
export function runDcmdump(path: string, extraArgs: readonly string[] = []): string {
  const args = [...extraArgs, path];
  const result = spawnSync('dcmdump', args, { encoding: 'latin1', maxBuffer: 1 << 28 });
  if (result.error) {
    throw new Error(`cannot run dcmdump (install the Debian package dcmtk): ${result.error.message}`);
  }
  if (result.status !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `failed with exit code ${String(result.status)}`;
    throw new Error(`dcmdump ${args.join(' ')} ${how}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** One element line of a dcmdump-style dump (ours or DCMTK's). */
export interface DumpLine {
  readonly section: 'meta' | 'dataSet';
  /** Indentation in steps of two spaces: 0 at top level, 2 inside an item of a top-level sequence. */
  readonly depth: number;
  /** "(gggg,eeee)" in lower case. */
  readonly tag: string;
  readonly vr: string;
  /** The value column without its padding: "[text]", numbers, "(Sequence with ...)". */
  readonly value: string;
  /** "u/l" or the value length in bytes. */
  readonly length: string;
  readonly vm: number;
}

const ELEMENT_LINE = /^( *)\(([0-9a-fA-F]{4}),([0-9a-fA-F]{4})\) (\S\S) (.*) # +(u\/l|\d+), *(\d+) .*$/;

/**
 * The element lines of a dump in dcmdump's default (indented) layout, item and delimitation lines
 * (group FFFE) left out. Throws on any line it does not understand, so nothing is skipped silently:
 * run dcmdump with +Qn so that values with line breaks stay on one line.
 */
export function parseDump(text: string): DumpLine[] {
  const lines: DumpLine[] = [];
  let section: DumpLine['section'] | undefined;
  for (const line of text.split('\n')) {
    if (line === '# Dicom-Meta-Information-Header') section = 'meta';
    if (line === '# Dicom-Data-Set') section = 'dataSet';
    // Headers, blank lines and DICOMDIR record comments ("  #  offset=$374").
    if (/^ *(#.*)?$/.test(line)) continue;
    const match = ELEMENT_LINE.exec(line);
    const [, indent = '', group = '', element = '', vr = '', value = '', length = '', vm = ''] = match ?? [];
    if (!match || !section || indent.length % 2 !== 0) throw new Error(`unexpected dump line: ${line}`);
    if (group.toLowerCase() === 'fffe') continue;
    lines.push({ section, depth: indent.length / 2, tag: `(${group},${element})`.toLowerCase(), vr, value: value.trimEnd(), length, vm: Number(vm) });
  }
  return lines;
}
