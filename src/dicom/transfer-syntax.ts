// Transfer syntaxes: how the data set after the File Meta Information is encoded (PS3.5 Section 10, Annex A).

export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
  /** The whole data set is deflated (raw DEFLATE, RFC 1951) after the meta header. */
  readonly deflated: boolean;
  /** Pixel Data is encapsulated in fragments (compressed frames); never decoded by us. */
  readonly encapsulated: boolean;
  /** A UID this table does not know: read as Explicit VR Little Endian, as PS3.5 10.1 requires of new syntaxes. */
  readonly known: boolean;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BIG_ENDIAN = '1.2.840.10008.1.2.2';

type Row = readonly [uid: string, name: string, encapsulated: boolean];

// Every native and encapsulated syntax in PS3.6 Table A-1 (2024b). All are Explicit VR Little Endian
// except the first four, which are special-cased below.
const ROWS: readonly Row[] = [
  [IMPLICIT_VR_LITTLE_ENDIAN, 'Little Endian Implicit', false],
  [EXPLICIT_VR_LITTLE_ENDIAN, 'Little Endian Explicit', false],
  [DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, 'Deflated Little Endian Explicit', false],
  [EXPLICIT_VR_BIG_ENDIAN, 'Big Endian Explicit', false],
  ['1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', true],
  ['1.2.840.10008.1.2.4.50', 'JPEG Baseline', true],
  ['1.2.840.10008.1.2.4.51', 'JPEG Extended', true],
  ['1.2.840.10008.1.2.4.52', 'JPEG Extended (retired)', true],
  ['1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection (retired)', true],
  ['1.2.840.10008.1.2.4.54', 'JPEG Spectral Selection (retired)', true],
  ['1.2.840.10008.1.2.4.55', 'JPEG Full Progression (retired)', true],
  ['1.2.840.10008.1.2.4.56', 'JPEG Full Progression (retired)', true],
  ['1.2.840.10008.1.2.4.57', 'JPEG Lossless', true],
  ['1.2.840.10008.1.2.4.58', 'JPEG Lossless (retired)', true],
  ['1.2.840.10008.1.2.4.59', 'JPEG Extended Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.60', 'JPEG Extended Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.61', 'JPEG Extended Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.62', 'JPEG Extended Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.63', 'JPEG Spectral Selection Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.64', 'JPEG Spectral Selection Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.65', 'JPEG Full Progression Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.66', 'JPEG Full Progression Hierarchical (retired)', true],
  ['1.2.840.10008.1.2.4.70', 'JPEG Lossless SV1', true],
  ['1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', true],
  ['1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', true],
  ['1.2.840.10008.1.2.4.90', 'JPEG 2000 Lossless', true],
  ['1.2.840.10008.1.2.4.91', 'JPEG 2000', true],
  ['1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Lossless', true],
  ['1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2', true],
  ['1.2.840.10008.1.2.4.94', 'JPIP Referenced', false],
  ['1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', false],
  ['1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', true],
  ['1.2.840.10008.1.2.4.100.1', 'Fragmentable MPEG2 Main Profile / Main Level', true],
  ['1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', true],
  ['1.2.840.10008.1.2.4.101.1', 'Fragmentable MPEG2 Main Profile / High Level', true],
  ['1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', true],
  ['1.2.840.10008.1.2.4.102.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1', true],
  ['1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', true],
  ['1.2.840.10008.1.2.4.103.1', 'Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile', true],
  ['1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', true],
  ['1.2.840.10008.1.2.4.104.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', true],
  ['1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', true],
  ['1.2.840.10008.1.2.4.105.1', 'Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', true],
  ['1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', true],
  ['1.2.840.10008.1.2.4.106.1', 'Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', true],
  ['1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1', true],
  ['1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1', true],
  ['1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', true],
  ['1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', true],
  ['1.2.840.10008.1.2.4.112', 'JPEG XL', true],
  ['1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 Lossless', true],
  ['1.2.840.10008.1.2.4.202', 'High-Throughput JPEG 2000 with RPCL Options Lossless', true],
  ['1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', true],
  ['1.2.840.10008.1.2.4.204', 'JPIP HTJ2K Referenced', false],
  ['1.2.840.10008.1.2.4.205', 'JPIP HTJ2K Referenced Deflate', false],
  ['1.2.840.10008.1.2.5', 'RLE Lossless', true],
  ['1.2.840.10008.1.2.6.1', 'RFC 2557 MIME encapsulation (retired)', false],
  ['1.2.840.10008.1.2.6.2', 'XML Encoding (retired)', false],
  ['1.2.840.10008.1.2.7.1', 'SMPTE ST 2110-20 Uncompressed Progressive Active Video', false],
  ['1.2.840.10008.1.2.7.2', 'SMPTE ST 2110-20 Uncompressed Interlaced Active Video', false],
  ['1.2.840.10008.1.2.7.3', 'SMPTE ST 2110-30 PCM Digital Audio', false],
  ['1.2.840.10008.1.2.8.1', 'Deflated Image Frame Compression', true],
];

// The JPIP Deflate syntaxes deflate the data set like 1.2.840.10008.1.2.1.99.
const DEFLATED = new Set([DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, '1.2.840.10008.1.2.4.95', '1.2.840.10008.1.2.4.205']);

const BY_UID: ReadonlyMap<string, TransferSyntax> = new Map(
  ROWS.map(([uid, name, encapsulated]) => [
    uid,
    {
      uid,
      name,
      explicitVr: uid !== IMPLICIT_VR_LITTLE_ENDIAN,
      littleEndian: uid !== EXPLICIT_VR_BIG_ENDIAN,
      deflated: DEFLATED.has(uid),
      encapsulated,
      known: true,
    },
  ]),
);

export function transferSyntaxFor(uid: string): TransferSyntax {
  const known = BY_UID.get(uid);
  if (known) return known;
  return { uid, name: 'Unknown (read as Little Endian Explicit)', explicitVr: true, littleEndian: true, deflated: false, encapsulated: true, known: false };
}

export function transferSyntaxOf(explicitVr: boolean, littleEndian: boolean): TransferSyntax {
  if (!explicitVr) return transferSyntaxFor(IMPLICIT_VR_LITTLE_ENDIAN);
  return transferSyntaxFor(littleEndian ? EXPLICIT_VR_LITTLE_ENDIAN : EXPLICIT_VR_BIG_ENDIAN);
}
