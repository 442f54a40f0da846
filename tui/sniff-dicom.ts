import { open } from 'node:fs/promises';
import { detectLayout, LAYOUT_BYTES } from '../src/index.js';

/**
 * Whether a file looks like DICOM by its first bytes, with or without extension: the reader's own
 * layout rules, on its first bytes instead of the header. A file that passes can still fail to
 * read; the anonymizer then reports why.
 */
export async function sniffDicom(file: string, size: number): Promise<boolean> {
  if (size < 8) return false;
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size, LAYOUT_BYTES));
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

/** `head` is the file's first LAYOUT_BYTES bytes, or all of them; a shorter read (the file shrank) is not DICOM. */
export function looksLikeDicom(head: Buffer, size: number): boolean {
  if (head.length < Math.min(size, LAYOUT_BYTES)) return false;
  return 'layout' in detectLayout(head, size);
}
