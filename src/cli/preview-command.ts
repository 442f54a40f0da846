import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DicomError } from '../dicom/errors.js';
import { readDicomFile } from '../dicom/read-file.js';
import { describeFsError } from '../io/durable-files.js';
import { FileIoError } from '../io/file-io-error.js';
import { printableText } from '../io/printable-text.js';
import { imagePixelsOf } from '../pixels/image-pixels.js';
import { pngOf } from '../pixels/png-picture.js';
import { previewCaption, previewPicture } from '../pixels/preview-picture.js';
import { regionsFromLists } from '../pixels/regions-to-blank.js';
import { SHIPPED_REGION_LIST } from '../pixels/shipped-regions.generated.js';
import { colourSupport, terminalPicture } from '../pixels/terminal-picture.js';
import { EXIT_OK, type CommandIo } from './command.js';
import { frameSourceWith } from '../pixels/frame-source.js';
import { loadConfig } from '../config/config.js';
import { loadFrameCodecs } from '../pixels/codecs/codec-registry.js';
import { pixelRegionsFlags, pixelRegionsFromFlags } from './pixel-regions-flags.js';
import { parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

export const PREVIEW_USAGE = `Usage: dicom-tools preview FILE [--frame N] [--after] [--png OUT] [--pixel-regions FILE]

Draws one frame of FILE in the terminal, for a person to check pixel cleaning: the regions that
cleaning blanks are outlined in yellow, ultrasound regions (which are kept) in cyan. Only pixels
and a one-line caption are printed, never an attribute's value.

Options:
  --frame N   the frame to draw, counted from 1 (default 1)
  --after     draw the frame as cleaning leaves it, the regions filled
  --png OUT   also write the frame at full resolution, outlined, as a PNG file
  --pixel-regions FILE
              a site's region list, searched before the shipped one, as anonymize does
              (default: DICOM_PIXEL_REGIONS)
  -h, --help`;

/** Lines kept free below the picture: the caption and the shell's prompt. */
const TEXT_LINES = 2;

export async function previewCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      frame: { type: 'string' },
      after: { type: 'boolean', default: false },
      png: { type: 'string' },
      ...pixelRegionsFlags,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(`${PREVIEW_USAGE}\n`);
    return EXIT_OK;
  }
  const [filePath, ...extra] = positionals;
  if (filePath === undefined) throw new UsageError('preview needs a FILE');
  if (extra.length > 0) throw new UsageError('preview takes one FILE');
  const frameNumber = values.frame === undefined ? 1 : Number(values.frame);
  if (!Number.isInteger(frameNumber) || frameNumber < 1) throw new UsageError('--frame needs a whole number from 1');
  const siteList = pixelRegionsFromFlags(values, loadConfig());
  try {
    const file = readDicomFile(filePath);
    const image = imagePixelsOf(file);
    const codecs = file.transferSyntax.encapsulated ? await loadFrameCodecs() : new Map();
    if (frameNumber > image.frames) throw new UsageError(`${filePath}: --frame ${frameNumber} is past the image's last frame (${image.frames})`);
    const picture = previewPicture(file, image, {
      frame: frameNumber - 1,
      after: values.after,
      frameSource: frameSourceWith(codecs),
      regionsToBlank: regionsFromLists(siteList ? [siteList, SHIPPED_REGION_LIST] : [SHIPPED_REGION_LIST]),
    });
    if (values.png !== undefined) writePng(values.png, pngOf(picture.rgb, picture.width, picture.height, picture.outline));
    const terminal = io.stdout as Partial<NodeJS.WriteStream>;
    const lines = terminalPicture(picture.rgb, picture.width, picture.height, {
      columns: terminal.columns ?? 80,
      rows: Math.max(1, (terminal.rows ?? 24) - TEXT_LINES),
      colours: colourSupport(process.env),
      outline: picture.outline,
    });
    io.stdout.write(`${lines.join('\n')}\n${printableText(previewCaption(picture, path.basename(filePath)))}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof DicomError) throw error.inFile(filePath);
    throw error;
  }
}

function writePng(target: string, png: Buffer): void {
  try {
    writeFileSync(target, png);
  } catch (error) {
    throw new FileIoError(`cannot write the PNG: ${describeFsError(error)}`, { file: target, cause: error });
  }
}
