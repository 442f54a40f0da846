import { dumpJson, formatDump } from '../dicom/dump.js';
import { DicomError } from '../dicom/errors.js';
import { readDicomFile } from '../dicom/read-file.js';
import { printableText } from '../io/printable-text.js';
import { EXIT_FAILED, EXIT_OK, type CommandIo } from './command.js';
import { parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

export const INSPECT_USAGE = `Usage: dicom-tools inspect FILE... [--json]

Prints every data element of each FILE, nested sequences indented, like DCMTK's dcmdump.
Values are shown as they are in the file: the output can contain patient data.

Options:
  --json   one JSON document per file (an array when several files are given)
  -h, --help`;

export async function inspectCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout.write(`${INSPECT_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('inspect needs at least one FILE');
  let status = EXIT_OK;
  const documents: unknown[] = [];
  for (const filePath of positionals) {
    try {
      const file = readDicomFile(filePath);
      if (values.json) documents.push({ file: filePath, ...dumpJson(file) });
      else io.stdout.write(`${positionals.length > 1 ? `# File: ${printableText(filePath)}\n` : ''}${formatDump(file)}\n`);
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      io.stderr.write(`dicom-tools: ${printableText(error.message)}\n`);
      status = EXIT_FAILED;
    }
  }
  if (values.json) {
    const json = positionals.length === 1 ? documents[0] : documents;
    if (json !== undefined) io.stdout.write(`${JSON.stringify(json, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`);
  }
  return status;
}
