import type { DicomFile } from '../dicom/read-file.js';
import { blankedFrame } from './blank-frame.js';
import type { DecodedFrame } from './codecs/frame-codec.js';
import { displayRgb } from './display-frame.js';
import { displaySettingsOf } from './display-settings.js';
import type { ImagePixels } from './image-pixels.js';
import type { OutlineBox } from './picture-outline.js';
import { spansOfBoxes, type RegionsToBlankOf } from './regions-to-blank.js';

/** Where a preview's frame comes from: native pixel data now, a codec's decoder later. */
export type FrameSource = (file: DicomFile, image: ImagePixels, index: number) => DecodedFrame;

export interface PreviewRequest {
  /** From 0. */
  readonly frame: number;
  /** Show the frame as cleaning leaves it: the regions filled. */
  readonly after: boolean;
  readonly frameSource: FrameSource;
  readonly regionsToBlank: RegionsToBlankOf;
}

/** One frame as a person checks it: 8-bit RGB, the boxes to draw over it, and what the caption says. */
export interface PreviewPicture {
  readonly rgb: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly outline: readonly OutlineBox[];
  /** From 1, for the caption. */
  readonly frame: number;
  readonly frames: number;
  readonly photometric: string;
  readonly regionName: string | undefined;
  readonly after: boolean;
}

/** Frame `request.frame` of the image, displayed, with the regions cleaning would blank (filled first with `after`). */
export function previewPicture(file: DicomFile, image: ImagePixels, request: PreviewRequest): PreviewPicture {
  const regions = request.regionsToBlank(file, image);
  const decoded = request.frameSource(file, image, request.frame);
  const frame = request.after ? blankedFrame(decoded, image, spansOfBoxes(regions.boxes, image.rows, image.columns)) : decoded;
  return {
    rgb: displayRgb(image, frame, displaySettingsOf(file, image)),
    width: image.columns,
    height: image.rows,
    outline: regions.boxes,
    frame: request.frame + 1,
    frames: image.frames,
    photometric: image.photometric,
    regionName: regions.name,
    after: request.after,
  };
}

/** The one line under a preview: `name  frame 1/8  320×240  RGB  region: CT Dose Series` (no attribute value but the photometric interpretation). */
export function previewCaption(picture: PreviewPicture, fileName: string): string {
  const region = picture.regionName === undefined ? 'no known region' : `region: ${picture.regionName}`;
  return `${fileName}  frame ${picture.frame}/${picture.frames}  ${picture.width}×${picture.height}  ${picture.photometric}  ${region}${picture.after ? '  (after cleaning)' : ''}`;
}
