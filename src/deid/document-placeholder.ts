// What replaces an encapsulated document (0042,0011) the profile dummies: a valid document of the
// same MIME type that says it was removed, not zero bytes that no viewer opens.

const NOTICE = 'This document was removed during de-identification.';

/** A one-page PDF 1.4 with the notice, its cross-reference table computed from the real offsets. */
function pdf(): Uint8Array {
  const stream = `BT /F1 14 Tf 72 720 Td (${NOTICE}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let text = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(text.length);
    text += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(text);
}

/**
 * An HL7 CDA R2 document with the notice as its body; every header element a CDA must have is
 * there, masked (nullFlavor MSK), so nothing of the original header is carried over.
 */
function cda(): Uint8Array {
  return new TextEncoder().encode(
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<ClinicalDocument xmlns="urn:hl7-org:v3">',
      '  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>',
      '  <id nullFlavor="MSK"/>',
      '  <code nullFlavor="MSK"/>',
      `  <title>${NOTICE}</title>`,
      '  <effectiveTime nullFlavor="MSK"/>',
      '  <confidentialityCode nullFlavor="MSK"/>',
      '  <recordTarget><patientRole><id nullFlavor="MSK"/></patientRole></recordTarget>',
      '  <author><time nullFlavor="MSK"/><assignedAuthor><id nullFlavor="MSK"/></assignedAuthor></author>',
      '  <custodian><assignedCustodian><representedCustodianOrganization><id nullFlavor="MSK"/></representedCustodianOrganization></assignedCustodian></custodian>',
      `  <component><nonXMLBody><text mediaType="text/plain">${NOTICE}</text></nonXMLBody></component>`,
      '</ClinicalDocument>',
      '',
    ].join('\n'),
  );
}

const ascii = (text: string) => () => new TextEncoder().encode(text);

/** Placeholders by MIME type (PS3.3 C.24.2: PDF, CDA, and the 3D model types), made once when first asked for. */
const MAKERS: Readonly<Record<string, () => Uint8Array>> = {
  'application/pdf': pdf,
  'text/xml': cda,
  'application/xml': cda,
  'model/stl': ascii('solid removed_during_de_identification\nendsolid removed_during_de_identification\n'),
  'model/obj': ascii(`# ${NOTICE}\n`),
  'model/mtl': ascii(`# ${NOTICE}\n`),
};
const made = new Map<string, Uint8Array>();

/** The placeholder for a document of `mimeType` (case and parameters ignored); undefined for a type we cannot write. */
export function placeholderDocument(mimeType: string): Uint8Array | undefined {
  const type = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  const make = MAKERS[type];
  if (!make) return undefined;
  let bytes = made.get(type);
  if (!bytes) made.set(type, (bytes = make()));
  return bytes;
}
