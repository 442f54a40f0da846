import type { DecodedFrame } from '../pixels/codecs/frame-codec.js';
import type { ImagePixels } from '../pixels/image-pixels.js';
import { nativeFrame } from '../pixels/native-frame.js';
import type { DicomFile } from '../dicom/read-file.js';
import { UsageError } from './usage-error.js';

/**
 * Frame `index` (from 0) of the file, decoded, for `preview`: native pixel data only for now;
 * encapsulated syntaxes join here as their codecs do.
 *
 * @throws UsageError for pixel data that is not native yet.
 */
export function frameForPreview(file: DicomFile, image: ImagePixels, index: number): DecodedFrame {
  if (file.transferSyntax.encapsulated) throw new UsageError(`${file.path}: preview of ${file.transferSyntax.name} pixel data is not available yet`);
  return nativeFrame(file, image, index);
}
