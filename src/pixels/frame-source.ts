import type { DicomFile } from '../dicom/read-file.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { UnsupportedDicomError } from '../dicom/errors.js';
import type { FrameCodecs } from './codecs/codec-registry.js';
import type { DecodedFrame } from './codecs/frame-codec.js';
import { frameFragments, readFrame } from './codecs/frame-fragments.js';
import type { ImagePixels } from './image-pixels.js';
import { nativeFrame } from './native-frame.js';

/**
 * Frame `index` (from 0) of a file, decoded, for a picture or OCR: native pixel data as it is
 * stored, encapsulated frames by the codec of their syntax (JPEG Baseline decoded by libjpeg-turbo).
 *
 * @throws UnsupportedDicomError for a syntax no codec reads.
 */
export function frameSourceWith(codecs: FrameCodecs): (file: DicomFile, image: ImagePixels, index: number) => DecodedFrame {
  return (file, image, index) => {
    if (!file.transferSyntax.encapsulated) return nativeFrame(file, image, index);
    const codec = codecs.get(file.transferSyntax.uid);
    const element = file.dataSet.find((candidate) => candidate.tag === PIXEL_DATA);
    if (codec === undefined || element === undefined) throw new UnsupportedDicomError(`no codec reads ${file.transferSyntax.name} pixel data`);
    const parts = frameFragments(file, element, image.frames)[index];
    if (parts === undefined) throw new UnsupportedDicomError(`frame ${index + 1} is not in the pixel data`);
    return codec.decode(readFrame(file, parts), image);
  };
}
