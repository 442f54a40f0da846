// The one module that uses tesseract.js: words and their boxes in 8-bit frames, read by a pool of
// tesseract workers that is made once per run and reused for every frame. tesseract.js and its
// English model are optional packages, imported only when a run asks for OCR.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { DicomToolsError } from '../errors/dicom-tools-error.js';

/** One frame's samples for OCR: 8 bits, interleaved by pixel (1 grey, 3 RGB or 4 RGBA), rows top to bottom. */
export interface OcrImage {
  readonly samples: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

export interface OcrBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface OcrWord {
  /** As tesseract read it: punctuation included, possibly misread ("DOE^JANE" can come back as "DOE*JANE"). */
  readonly text: string;
  /** 0 to 100; low for words with odd characters, so matching should not rely on it. */
  readonly confidence: number;
  /** In the frame's pixels, whatever scaling OCR used. */
  readonly box: OcrBox;
  /** Which text line of this frame the word is on: words of one line share it, in reading order. */
  readonly line: number;
}

export interface OcrPool {
  /** The words of one frame; frames given at once are read in parallel, one per worker. */
  recognise(image: OcrImage): Promise<OcrWord[]>;
  /** Stops every worker; the pool cannot be used afterwards. */
  close(): Promise<void>;
}

export interface OcrPoolOptions {
  /** Frames are drawn this many times larger before OCR: reads text under about 16 px better, at a third of the speed. @default 1 */
  readonly upscale?: 1 | 2;
  /**
   * Tesseract's page segmentation mode. @default "3" (automatic): on the test scenes as accurate as
   * "11" (sparse text) and about twice as fast; "6" reads speckle as words.
   */
  readonly pageSegmentation?: string;
  /** How the two packages are found; a run never changes them (a test stands in a missing one). @default the real packages */
  readonly packages?: OcrPackages;
}

/** The optional packages OCR needs are not installed: the user can install them or run without OCR. */
export class OcrUnavailableError extends DicomToolsError {
  readonly code = 'OCR_UNAVAILABLE';
  readonly kind = 'abort';
}

const PACKAGES = { engine: 'tesseract.js', language: '@tesseract.js-data/eng' } as const;
/** The LSTM-only model (the one tesseract.js itself takes for its default engine); gzipped. */
const MODEL_FOLDER = '4.0.0_best_int';
const MISSING = `OCR needs the optional packages ${PACKAGES.engine} and ${PACKAGES.language}: install them with npm install ${PACKAGES.engine} ${PACKAGES.language}`;

type Tesseract = typeof import('tesseract.js');

/** Loads the engine, and finds the language package's package.json. */
export interface OcrPackages {
  readonly engine: () => Promise<unknown>;
  readonly languagePackage: () => string;
}

// Named literally, so the package each loads is plain to read (and to the architecture test).
const REAL_PACKAGES: OcrPackages = {
  engine: () => import('tesseract.js'),
  languagePackage: () => createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json'),
};

async function loadEngine(packages: OcrPackages): Promise<Tesseract> {
  try {
    const module = (await packages.engine()) as Tesseract & { default?: Tesseract };
    return module.default ?? module;
  } catch (error) {
    throw new OcrUnavailableError(MISSING, error);
  }
}

/** The folder holding eng.traineddata.gz inside the language package. */
function modelFolder(packages: OcrPackages): string {
  try {
    const folder = path.join(path.dirname(packages.languagePackage()), MODEL_FOLDER);
    statSync(path.join(folder, 'eng.traineddata.gz'));
    return folder;
  } catch (error) {
    throw new OcrUnavailableError(MISSING, error);
  }
}

/**
 * Options for each tesseract worker that keep it off the network: the model is read from the
 * package's folder (a local path, which tesseract.js reads from disk, never a URL), and nothing is
 * cached, so no model file is written to the working directory (tesseract.js's default).
 */
export function offlineWorkerOptions(languageFolder: string, cacheFolder: string) {
  return {
    langPath: languageFolder,
    gzip: true,
    cacheMethod: 'none',
    cachePath: cacheFolder,
    logger: () => {},
  } as const;
}

/** Starts `size` tesseract workers (default: one per CPU) with the English model from its package. */
export async function createOcrPool(size: number = availableParallelism(), options: OcrPoolOptions = {}): Promise<OcrPool> {
  const packages = options.packages ?? REAL_PACKAGES;
  const tesseract = await loadEngine(packages);
  const languageFolder = modelFolder(packages);
  const upscale = options.upscale ?? 1;
  const cacheFolder = mkdtempSync(path.join(tmpdir(), 'dicom-tools-ocr-'));
  const workers = await Promise.allSettled(Array.from({ length: Math.max(1, size) }, async () => {
    // A worker whose model fails to load never settles createWorker, and without an errorHandler
    // tesseract.js throws the failure where nothing can catch it: report it through the handler.
    let startFailed: (reason: Error) => void = () => {};
    const failure = new Promise<never>((_, reject) => {
      startFailed = reject;
    });
    failure.catch(() => {});
    const errorHandler = (data: unknown) => startFailed(new Error(String(data)));
    const worker = await Promise.race([tesseract.createWorker('eng', tesseract.OEM.LSTM_ONLY, { ...offlineWorkerOptions(languageFolder, cacheFolder), errorHandler }), failure]);
    // A screen's text is about 70 to 100 dpi: saying so spares tesseract its guess; its notes go nowhere.
    await worker.setParameters({ tessedit_pageseg_mode: (options.pageSegmentation ?? '3') as never, user_defined_dpi: String(96 * upscale), debug_file: '/dev/null' });
    return worker;
  }));
  const started = workers.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = workers.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((worker) => worker.terminate()));
    rmSync(cacheFolder, { recursive: true, force: true });
    throw new OcrUnavailableError(`OCR workers could not start: ${String(failed.reason)}`, failed.reason);
  }
  const scheduler = tesseract.createScheduler();
  for (const worker of started) scheduler.addWorker(worker);
  return {
    async recognise(image) {
      const result = await scheduler.addJob('recognize', greyPgm(image, upscale), {}, { blocks: true, text: false });
      return wordsOf(result.data, upscale, image);
    },
    async close() {
      await scheduler.terminate();
      rmSync(cacheFolder, { recursive: true, force: true });
    },
  };
}

/**
 * The frame as a binary PGM file, grey (Rec. 601 luma), upscaled by pixel repetition: leptonica
 * reads PGM without a decoder library, and it costs no compression.
 */
export function greyPgm(image: OcrImage, upscale: 1 | 2): Buffer {
  const { width, height, channels, samples } = image;
  if (samples.length < width * height * channels) throw new RangeError(`OCR image holds ${samples.length} samples, ${width}×${height}×${channels} needed`);
  const [outWidth, outHeight] = [width * upscale, height * upscale];
  const header = Buffer.from(`P5\n${outWidth} ${outHeight}\n255\n`, 'latin1');
  const out = Buffer.alloc(header.length + outWidth * outHeight);
  header.copy(out);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * channels;
      const grey = channels === 1 ? (samples[at] ?? 0) : Math.round(0.299 * (samples[at] ?? 0) + 0.587 * (samples[at + 1] ?? 0) + 0.114 * (samples[at + 2] ?? 0));
      for (let dy = 0; dy < upscale; dy++) out.fill(grey, header.length + (y * upscale + dy) * outWidth + x * upscale, header.length + (y * upscale + dy) * outWidth + (x + 1) * upscale);
    }
  }
  return out;
}

interface TesseractPage {
  readonly blocks: readonly { readonly paragraphs: readonly { readonly lines: readonly { readonly words: readonly { readonly text: string; readonly confidence: number; readonly bbox: { x0: number; y0: number; x1: number; y1: number } }[] }[] }[] }[] | null;
}

function wordsOf(page: TesseractPage, upscale: number, image: OcrImage): OcrWord[] {
  const words: OcrWord[] = [];
  let line = 0;
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const textLine of paragraph.lines) {
        for (const word of textLine.words) {
          const text = word.text.trim();
          if (text.length === 0) continue;
          const x = Math.max(0, Math.floor(word.bbox.x0 / upscale));
          const y = Math.max(0, Math.floor(word.bbox.y0 / upscale));
          const right = Math.min(image.width, Math.ceil(word.bbox.x1 / upscale));
          const bottom = Math.min(image.height, Math.ceil(word.bbox.y1 / upscale));
          words.push({ text, confidence: word.confidence, box: { x, y, width: right - x, height: bottom - y }, line });
        }
        line++;
      }
    }
  }
  return words;
}
