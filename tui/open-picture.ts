import { frameSourceWith, imagePixelsOf, loadFrameCodecs, previewPicture, readDicomFile, regionsFromLists, SHIPPED_REGION_LIST, type PreviewPicture, type RegionList } from '../src/index.js';

/** A DICOM image opened for the picture view: read once, each frame drawn when it is shown. */
export interface OpenedPicture {
  readonly frames: number;
  /** Frame `frame` (from 0) with the regions cleaning would blank outlined; with `after`, filled. */
  readonly draw: (frame: number, after: boolean) => PreviewPicture;
}

export type ReadOptions = Parameters<typeof readDicomFile>[1];

/**
 * What `dicom-tools preview` draws, for the screen: the site's region list (DICOM_PIXEL_REGIONS)
 * is searched before the shipped one, as a run does. The codecs load on the first encapsulated file.
 *
 * @throws DicomError (or UsageError for a syntax no codec reads) naming the file.
 */
export async function openPicture(file: string, siteRegions: RegionList | undefined, options: ReadOptions = {}): Promise<OpenedPicture> {
  const dicom = readDicomFile(file, options);
  const image = imagePixelsOf(dicom);
  const codecs = dicom.transferSyntax.encapsulated ? await loadFrameCodecs() : new Map();
  const frameSource = frameSourceWith(codecs);
  const regionsToBlank = regionsFromLists(siteRegions === undefined ? [SHIPPED_REGION_LIST] : [siteRegions, SHIPPED_REGION_LIST]);
  return { frames: image.frames, draw: (frame, after) => previewPicture(dicom, image, { frame, after, frameSource, regionsToBlank }) };
}

/** An error's message without the file's path in front (the view names the file itself). */
export function pictureProblem(error: unknown, file: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}
