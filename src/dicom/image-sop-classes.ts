/**
 * Storage SOP Classes whose IOD requires Pixel Data (PS3.4 Table B.5-1 with PS3.3's Image Pixel
 * module; retired ones included, as old modalities still send them), without their common root
 * 1.2.840.10008.5.1.4.1.1. A file of one of these without Pixel Data cannot be whole.
 */
const IMAGE_CLASSES_UNDER_ROOT: readonly string[] = [
  // CR, DX, mammography and intra-oral X-ray (for presentation and for processing)
  '1', '1.1', '1.1.1', '1.2', '1.2.1', '1.3', '1.3.1',
  // CT, enhanced and legacy converted
  '2', '2.1', '2.2',
  // ultrasound (multi-frame, single frame, retired forms), enhanced US volume, photoacoustic
  '3', '3.1', '6', '6.1', '6.2', '6.3',
  // MR, enhanced, enhanced colour, legacy converted
  '4', '4.1', '4.3', '4.4',
  // nuclear medicine (retired and current)
  '5', '20',
  // secondary capture, single and multi-frame
  '7', '7.1', '7.2', '7.3', '7.4',
  // X-ray angiography and fluoroscopy, enhanced, bi-plane (retired), 3D, breast tomosynthesis and projection
  '12.1', '12.1.1', '12.2', '12.2.1', '12.3', '13.1.1', '13.1.2', '13.1.3', '13.1.4', '13.1.5',
  // intravascular OCT
  '14.1', '14.2',
  // parametric map, segmentation
  '30', '66.4',
  // visible light: endoscopy, microscopy, photography, ophthalmology, whole slide, dermoscopy
  '77.1', '77.1.1', '77.1.1.1', '77.1.2', '77.1.2.1', '77.1.3', '77.1.4', '77.1.4.1', '77.1.5.1', '77.1.5.2',
  '77.1.5.4', '77.1.5.5', '77.1.5.7', '77.1.5.8', '77.1.6', '77.1.7', '77.1.8', '77.1.9',
  // ophthalmic thickness map
  '81.1',
  // PET, legacy converted, enhanced
  '128', '128.1', '130',
  // RT image
  '481.1',
];

const IMAGE_SOP_CLASSES: ReadonlySet<string> = new Set(IMAGE_CLASSES_UNDER_ROOT.map((suffix) => `1.2.840.10008.5.1.4.1.1.${suffix}`));

/** Whether objects of this SOP Class always carry Pixel Data. */
export function isImageSopClass(uid: string): boolean {
  return IMAGE_SOP_CLASSES.has(uid);
}
