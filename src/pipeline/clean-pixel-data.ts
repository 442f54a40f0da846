import type { DataSetEdits } from '../dicom/edits.js';
import type { DicomFile } from '../dicom/read-file.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import type { DeidPlan } from '../deid/plan-deid.js';
import { BurnedInPixelsError, burnedInSigns } from '../pixels/burned-in-risk.js';

/**
 * The plan's edits with a cleaned image's Pixel Data blanked. Native pixel data the planner has
 * already patched; encapsulated pixel data must be decoded, blanked and encoded here, where its
 * bytes are read. An image whose cleaning the plan asked for never goes out uncleaned.
 *
 * @throws BurnedInPixelsError when its pixels cannot be blanked.
 */
export function editsWithCleanPixels(file: DicomFile, plan: DeidPlan): DataSetEdits {
  if (plan.pixels.kind !== 'cleaned' || plan.edits.has(PIXEL_DATA)) return plan.edits;
  throw new BurnedInPixelsError(burnedInSigns(file), { reason: 'cannot-clean', detail: `${file.transferSyntax.name} pixel data` });
}
