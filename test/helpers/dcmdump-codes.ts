import { runDcmdump } from './dcmdump.js';

/**
 * The code values of De-identification Method Code Sequence (0012,0064) as DCMTK reads them: the
 * conformance claim an output makes, read by an independent reader.
 */
export function deidMethodCodes(file: string): string[] {
  return runDcmdump(file, ['+p', '+P', '0008,0100'])
    .split('\n')
    .flatMap((line) => /^\(0012,0064\)\.\(0008,0100\) SH \[(\d+)\]/.exec(line)?.[1] ?? []);
}
