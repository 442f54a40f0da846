// DCMTK's view of an output: whether it reads at all, and its File Meta Information.
import { spawnSync } from 'node:child_process';
import { parseDump, runDcmdump } from './dcmdump.js';

/**
 * Why dcmdump cannot read `file` cleanly: its exit status and error lines (E:, F:), empty when it
 * reads it. Warnings (W:) are allowed: DCMTK warns about oddities it still reads.
 */
export function dcmdumpErrors(file: string): string[] {
  const result = spawnSync('dcmdump', ['+Qn', file], { encoding: 'latin1', maxBuffer: 1 << 28 });
  if (result.error) throw new Error(`cannot run dcmdump (install the Debian package dcmtk): ${result.error.message}`);
  const errors = result.stderr.split('\n').filter((line) => /^[EF]: /.test(line));
  if (result.status !== 0 && errors.length === 0) errors.push(`exit status ${String(result.status)}`);
  return errors;
}

/** The meta elements per dcmdump, "(gggg,eeee)" to its value as printed ("[...]" without brackets and padding). */
export function dcmdumpMeta(file: string): Map<string, string> {
  const lines = parseDump(runDcmdump(file, ['-q', '+Qn', '-Un', '-dc'])).filter((line) => line.section === 'meta');
  return new Map(lines.map((line) => [line.tag, line.value.startsWith('[') && line.value.endsWith(']') ? line.value.slice(1, -1).replace(/( |\0|&#0;)+$/, '') : line.value]));
}
