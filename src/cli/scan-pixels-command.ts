import { DicomError } from '../dicom/errors.js';
import { readDicomFile } from '../dicom/read-file.js';
import { collectInputs } from '../io/collect-inputs.js';
import { printableText } from '../io/printable-text.js';
import { OcrReader, type FrameReading } from '../pipeline/ocr-boxes.js';
import { burnedInSigns, describeBurnedInSigns } from '../pixels/burned-in-risk.js';
import { loadFrameCodecs } from '../pixels/codecs/codec-registry.js';
import { OcrUnavailableError } from '../pixels/ocr-words.js';
import { plural } from '../text/plural.js';
import { EXIT_FAILED, EXIT_OK, type CommandIo } from './command.js';
import { parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

export const SCAN_PIXELS_USAGE = `Usage: dicom-tools scan-pixels PATH... [--all] [--json]

Reads the text burned into images with OCR (offline, the optional tesseract.js packages), for an
audit: per file and frame, how many words it reads and which of them clean-pixel-data --ocr would
blank, and why (the file's own identifying values, or what looks like a name, a date or an ID),
with their boxes. The words themselves are never printed: they may be a patient's.

Options:
  --all     read every image, not only those that may carry burned-in text
  --json    print the report as JSON
  -h, --help

Exit status: 0 no frame has a word to blank, 1 some frame has (or a file could not be read),
2 usage error (or OCR is not installed).`;

interface FileScan {
  readonly file: string;
  readonly risk: string;
  readonly frames?: readonly FrameReading[];
  readonly error?: string;
}

export async function scanPixelsCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.stdout.write(`${SCAN_PIXELS_USAGE}\n`);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('scan-pixels needs at least one PATH');
  const { files, missing } = collectInputs(positionals);
  const reader = new OcrReader(await loadFrameCodecs());
  const scans: FileScan[] = missing.map((file) => ({ file, risk: '', error: 'no such file or folder' }));
  try {
    for (const input of files) {
      const scan = await scanFile(input.path, reader, values.all);
      if (scan) scans.push(scan);
      if (scan && !values.json) io.stdout.write(textOf(scan));
    }
  } catch (error) {
    // Not installed: no file can be read, so the command stops as for a usage error, saying what to install.
    if (error instanceof OcrUnavailableError) throw new UsageError(error.message, error);
    throw error;
  } finally {
    await reader.close();
  }
  if (values.json) io.stdout.write(`${JSON.stringify({ files: scans }, null, 2)}\n`);
  const toBlank = scans.some((scan) => scan.error !== undefined || (scan.frames ?? []).some((frame) => frame.reasons.length > 0));
  io.stderr.write(`Scanned ${plural(scans.filter((scan) => scan.frames).length, 'image')}.\n`);
  return toBlank ? EXIT_FAILED : EXIT_OK;
}

/** One file's reading; undefined for a file that is not an image at risk (unless --all) or not DICOM. */
async function scanFile(file: string, reader: OcrReader, all: boolean): Promise<FileScan | undefined> {
  let risk = '';
  try {
    const dicom = readDicomFile(file);
    const signs = burnedInSigns(dicom);
    if (signs.length === 0 && !(all && dicom.dataSet.some((element) => element.tag === 0x7fe00010))) return undefined;
    risk = signs.length > 0 ? describeBurnedInSigns(signs) : 'not at risk';
    return { file, risk, frames: await reader.readFrames(dicom) };
  } catch (error) {
    if (error instanceof DicomError) return error.code === 'NOT_DICOM' ? undefined : { file, risk, error: error.problem };
    throw error;
  }
}

function textOf(scan: FileScan): string {
  // A file name may hold anything (newlines, escape codes): shown printable, one line each.
  if (scan.error !== undefined) return `${printableText(scan.file)}: ${scan.error}\n`;
  const lines = (scan.frames ?? []).map((frame, index) => {
    const counts = new Map<string, number>();
    for (const reason of frame.reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    const why = [...counts].map(([reason, count]) => `${reason} ${count}`).join(', ');
    const boxes = frame.boxes.map((box) => `${box.x},${box.y},${box.width},${box.height}`).join(' ');
    return `  frame ${index + 1}: ${plural(frame.words, 'word')}, ${frame.reasons.length} to blank${why ? ` (${why})` : ''}${boxes ? `; boxes ${boxes}` : ''}`;
  });
  return `${printableText(scan.file)}: ${scan.risk}\n${lines.join('\n')}\n`;
}
