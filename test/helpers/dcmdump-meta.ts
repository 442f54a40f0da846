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

/**
 * dcmdumpErrors for many files with one dcmdump run when all read cleanly (it goes on after a file
 * it cannot read); only then each file is run alone, to say which failed. Files without errors are left out.
 */
export function dcmdumpErrorsOfMany(files: readonly string[]): Map<string, string[]> {
  const failed = new Map<string, string[]>();
  for (let start = 0; start < files.length; start += 200) {
    const chunk = files.slice(start, start + 200);
    const result = spawnSync('dcmdump', ['-q', '+Qn', ...chunk], { encoding: 'latin1', maxBuffer: 1 << 28 });
    if (result.error) throw new Error(`cannot run dcmdump (install the Debian package dcmtk): ${result.error.message}`);
    if (result.status === 0 && !/^[EF]: /m.test(result.stderr)) continue;
    for (const file of chunk) {
      const errors = dcmdumpErrors(file);
      if (errors.length > 0) failed.set(file, errors);
    }
  }
  return failed;
}
