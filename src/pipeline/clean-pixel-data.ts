import type { DataSetEdits, ElementEdit } from '../dicom/edits.js';
import type { Fragment } from '../dicom/model.js';
import { UnsupportedDicomError } from '../dicom/errors.js';
import type { DicomFile } from '../dicom/read-file.js';
import { PIXEL_DATA, TRANSFER_SYNTAX_UID, type Tag } from '../dicom/tag.js';
import type { DeidPlan } from '../deid/plan-deid.js';
import { nativeBlankPatches } from '../pixels/blank-native.js';
import { rectanglesOfSpans, type Span } from '../pixels/blank-spans.js';
import { BurnedInPixelsError, burnedInSigns, refusalDetail } from '../pixels/burned-in-risk.js';
import type { PixelCleaning } from '../pixels/choose-cleaning.js';
import type { FrameCodecs } from '../pixels/codecs/codec-registry.js';
import type { DecodedFrame } from '../pixels/codecs/frame-codec.js';
import { encapsulatedValue, frameFragments, readFrame } from '../pixels/codecs/frame-fragments.js';
import { encodeRle } from '../pixels/codecs/rle-lossless.js';
import { fillSamples } from '../pixels/fill-value.js';
import type { ImagePixels } from '../pixels/image-pixels.js';
import { blankJpegBlocks, jpegCodesRgb } from '../pixels/jpeg-block-blank.js';
import { loadedPixelCodecs } from './pixel-codecs.js';

const RLE_LOSSLESS = '1.2.840.10008.1.2.5';
/** JPEG Baseline and Extended: blanked block by block, without decoding (no second loss). */
const BLOCK_BLANKED = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);
const EXTENDED_OFFSET_TABLE: Tag = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS: Tag = 0x7fe00002;
const PHOTOMETRIC_INTERPRETATION: Tag = 0x00280004;
const PLANAR_CONFIGURATION: Tag = 0x00280006;

/** A plan's edits of the data set and of the File Meta Information. */
export interface PlannedEdits {
  readonly edits: DataSetEdits;
  readonly metaEdits: DataSetEdits;
}

/**
 * The plan's edits with a cleaned image's Pixel Data blanked. Native pixel data the planner has
 * already patched; encapsulated pixel data is read, blanked frame by frame and encoded here: JPEG
 * Baseline in the DCT domain, every other syntax decoded, blanked and encoded again without loss
 * in its own syntax, or in RLE Lossless where no encoder exists. An image whose cleaning the plan
 * asked for never goes out uncleaned.
 *
 * @throws BurnedInPixelsError when its pixels cannot be blanked (the reason names the syntax or problem).
 */
export function withCleanPixels(file: DicomFile, plan: DeidPlan): PlannedEdits {
  if (plan.pixels.kind !== 'cleaned' || plan.edits.has(PIXEL_DATA)) return plan;
  const refuse = (detail: string): never => {
    throw new BurnedInPixelsError(burnedInSigns(file), { reason: 'cannot-clean', detail });
  };
  const codecs = loadedPixelCodecs();
  // A bug of ours, reported as one: every run that cleans loads them first.
  if (codecs === undefined) throw new Error('the pixel codecs were not loaded before a file to clean');
  const element = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
  if (element === undefined || !file.transferSyntax.encapsulated) return refuse('no encapsulated Pixel Data');
  try {
    const { cleaning } = plan.pixels;
    const frames = frameFragments(file, element, cleaning.image.frames);
    const blanked = (BLOCK_BLANKED.has(file.transferSyntax.uid) && blockBlanked(file, frames, cleaning)) || decodedAndEncoded(file, frames, cleaning, codecs);
    const edits = new Map<Tag, ElementEdit>(plan.edits);
    edits.set(PIXEL_DATA, { op: 'encapsulated', value: encapsulatedValue(blanked.frames, true) });
    // Offsets into the old fragments would point anywhere: the Basic Offset Table has the new ones.
    for (const tag of [EXTENDED_OFFSET_TABLE, EXTENDED_OFFSET_TABLE_LENGTHS]) if (file.dataSet.some((candidate) => candidate.tag === tag)) edits.set(tag, { op: 'remove' });
    for (const [tag, edit] of blanked.attributes) edits.set(tag, edit);
    const metaEdits = new Map(plan.metaEdits);
    if (blanked.transferSyntax !== file.transferSyntax.uid) metaEdits.set(TRANSFER_SYNTAX_UID, { op: 'set', vr: 'UI', value: blanked.transferSyntax });
    return { edits, metaEdits };
  } catch (error) {
    if (error instanceof UnsupportedDicomError) return refuse(refusalDetail(error));
    throw error;
  }
}


interface BlankedFrames {
  readonly frames: readonly Uint8Array[];
  readonly transferSyntax: string;
  /** Attributes that change with the encoding (a JPEG decoded to RGB and written as RLE). */
  readonly attributes: ReadonlyMap<Tag, ElementEdit>;
}

/** JPEG frames blanked block by block; undefined when one of them cannot be (its frames are then decoded). */
function blockBlanked(file: DicomFile, frames: readonly (readonly Fragment[])[], cleaning: PixelCleaning): BlankedFrames | undefined {
  const rectangles = rectanglesOfSpans(cleaning.spans);
  const out: Uint8Array[] = [];
  try {
    for (const parts of frames) {
      const frame = readFrame(file, parts);
      out.push(blankJpegBlocks(frame, rectangles, jpegFill(frame, cleaning.image)).bytes);
    }
  } catch (error) {
    if (error instanceof UnsupportedDicomError) return undefined;
    throw error;
  }
  return { frames: out, transferSyntax: file.transferSyntax.uid, attributes: new Map() };
}

/** Black in the codestream's own colour space: YCbCr (0, 128, 128), unless the frame codes RGB. */
function jpegFill(frame: Uint8Array, image: ImagePixels): number[] {
  if (image.samplesPerPixel === 1) return [Math.max(0, Math.min(255, fillSamples(image)[0] ?? 0))];
  return jpegCodesRgb(frame) ? [0, 0, 0] : [0, 128, 128];
}

/** Frames decoded, blanked and encoded again: in their own syntax, or in RLE Lossless when it has no encoder. */
function decodedAndEncoded(file: DicomFile, frames: readonly (readonly Fragment[])[], cleaning: PixelCleaning, codecs: FrameCodecs): BlankedFrames {
  const codec = codecs.get(file.transferSyntax.uid);
  if (codec === undefined) throw new UnsupportedDicomError(`no codec reads ${file.transferSyntax.name} pixel data`);
  const out: Uint8Array[] = [];
  let photometric = cleaning.image.photometric;
  for (const parts of frames) {
    const decoded = blankDecoded(codec.decode(readFrame(file, parts), cleaning.image), cleaning.image, cleaning.spans);
    photometric = decoded.photometric;
    out.push(codec.encode ? codec.encode(decoded, cleaning.image) : encodeRle(decoded, { ...cleaning.image, photometric: decoded.photometric }));
  }
  if (codec.encode) return { frames: out, transferSyntax: file.transferSyntax.uid, attributes: new Map() };
  // RLE holds the samples as decoded: their colour space, interleaving irrelevant (one segment per sample).
  const attributes = new Map<Tag, ElementEdit>();
  if (photometric !== cleaning.image.photometric) attributes.set(PHOTOMETRIC_INTERPRETATION, { op: 'set', value: photometric });
  if (cleaning.image.samplesPerPixel > 1) attributes.set(PLANAR_CONFIGURATION, { op: 'set', value: 0 });
  return { frames: out, transferSyntax: RLE_LOSSLESS, attributes };
}

/** A decoded frame with `spans` filled: the fill of the colour space it decoded to. */
function blankDecoded(frame: DecodedFrame, image: ImagePixels, spans: readonly Span[]): DecodedFrame {
  const layout: ImagePixels = { ...image, frames: 1, planar: false, photometric: frame.photometric };
  const samples = Buffer.from(frame.samples);
  for (const patch of nativeBlankPatches(layout, spans, true)) samples.set(patch.bytes, patch.offset);
  return { samples, photometric: frame.photometric };
}
