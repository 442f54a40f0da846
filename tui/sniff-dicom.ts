import { open } from 'node:fs/promises';

const DICM = 0x4d434944; // "DICM" read little endian

/**
 * Whether a file looks like DICOM by its first bytes, with or without extension: "DICM" at byte
 * 128 followed by a meta element, a meta element at byte 0, or a bare data set whose first element
 * has a plausible group (the engine's own layout rules, on 140 bytes instead of the header). A file
 * that passes can still fail to read; the anonymizer then reports why.
 */
export async function sniffDicom(file: string, size: number): Promise<boolean> {
  if (size < 8) return false;
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size, 140));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
  return looksLikeDicom(head, size);
}

export function looksLikeDicom(head: Buffer, size: number): boolean {
  if (head.length >= 140 && head.readUInt32LE(128) === DICM && isMetaElement(head, 132)) return true;
  if (isMetaElement(head, 0)) return true;
  if (head.length < 8) return false;
  const little = head.readUInt16LE(0);
  const big = head.readUInt16BE(0);
  const group = Math.min(little, big);
  if (group % 2 !== 0 || group < 0x0002 || group > 0x0010) return false;
  if (isVrText(head, 4)) return true;
  const length = little <= big ? head.readUInt32LE(4) : head.readUInt32BE(4);
  return length <= size;
}

function isMetaElement(head: Buffer, offset: number): boolean {
  return head.length >= offset + 8 && head.readUInt16LE(offset) === 0x0002 && isVrText(head, offset + 4);
}

/** Two upper-case letters, as every VR is. */
function isVrText(head: Buffer, offset: number): boolean {
  const first = head[offset] ?? 0;
  const second = head[offset + 1] ?? 0;
  return first >= 0x41 && first <= 0x5a && second >= 0x41 && second <= 0x5a;
}
