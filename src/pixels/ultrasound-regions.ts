import { elementAt, valueAt } from '../dicom/element-access.js';
import type { DicomFile } from '../dicom/read-file.js';
import type { Tag } from '../dicom/tag.js';
import type { Corners } from './blank-spans.js';

const SEQUENCE_OF_ULTRASOUND_REGIONS: Tag = 0x00186011;
const REGION_LOCATION_MIN_X0: Tag = 0x00186018;
const REGION_LOCATION_MIN_Y0: Tag = 0x0018601a;
const REGION_LOCATION_MAX_X1: Tag = 0x0018601c;
const REGION_LOCATION_MAX_Y1: Tag = 0x0018601e;

/**
 * The Region Location corners of each item of the Sequence of Ultrasound Regions (PS3.3 C.8.5.5.1)
 * that has all four, in order; an item without them says nothing about where the image data is.
 */
export function ultrasoundRegions(file: DicomFile): Corners[] {
  const items = elementAt(file, [], SEQUENCE_OF_ULTRASOUND_REGIONS)?.items ?? [];
  const regions: Corners[] = [];
  items.forEach((_, item) => {
    const path = [{ tag: SEQUENCE_OF_ULTRASOUND_REGIONS, item }];
    const corner = (tag: Tag): number | undefined => {
      const value = valueAt(file, path, tag);
      const first = value?.kind === 'numbers' ? Number(value.values[0]) : undefined;
      return first !== undefined && Number.isInteger(first) ? first : undefined;
    };
    const [minX, minY, maxX, maxY] = [corner(REGION_LOCATION_MIN_X0), corner(REGION_LOCATION_MIN_Y0), corner(REGION_LOCATION_MAX_X1), corner(REGION_LOCATION_MAX_Y1)];
    if (minX !== undefined && minY !== undefined && maxX !== undefined && maxY !== undefined && maxX >= minX && maxY >= minY) regions.push({ minX, minY, maxX, maxY });
  });
  return regions;
}
