// How a file starts, told from its first bytes: the reader's first step, and the TUI's test of
// whether a file is DICOM at all (one rule for both, so the TUI offers what the reader accepts).
import { detectEncoding } from './detect-encoding.js';
import type { Encoding } from './model.js';
import { isVr } from './vr.js';

/** How the file starts: Part 10 (preamble, "DICM", meta) or a bare data set (ACR-NEMA style). */
export type FileLayout = 'part10' | 'part10-no-preamble' | 'raw';

export type LayoutGuess =
  | { readonly layout: 'part10' | 'part10-no-preamble' }
  /** A bare data set has no Transfer Syntax UID: its first element tells how it is encoded. */
  | { readonly layout: 'raw'; readonly encoding: Encoding }
  | { readonly problem: NotDicomProblem };

/**
 * Why a file is not DICOM. 'short': under 8 bytes; 'group': the first tag's group is not one a
 * data set starts with; 'length': an implicit VR length runs past the end.
 */
export type NotDicomProblem = 'short' | 'group' | 'length';

/** The bytes detectLayout() needs: preamble, "DICM" and the first meta element's header. */
export const LAYOUT_BYTES = 140;

const DICM = 0x4d434944; // "DICM" read as a little-endian uint32

/**
 * Tells the layout from `head`, the file's first bytes (at least LAYOUT_BYTES of them, or the
 * whole file), and `size`, the file's size. A file that has a layout can still fail to read.
 */
export function detectLayout(head: Buffer, size: number): LayoutGuess {
  // "DICM" at 128 is not enough: a bare data set can hold those bytes by accident, so the
  // first meta element must follow it.
  if (size >= 140 && head.readUInt32LE(128) === DICM && startsWithMetaElement(head, 132)) return { layout: 'part10' };
  if (size >= 8 && startsWithMetaElement(head, 0)) return { layout: 'part10-no-preamble' };
  if (size < 8) return { problem: 'short' };
  const guess = detectEncoding(head, 0, size);
  return 'encoding' in guess ? { layout: 'raw', encoding: guess.encoding } : guess;
}

function startsWithMetaElement(head: Buffer, offset: number): boolean {
  if (head.length < offset + 8) return false;
  return head.readUInt16LE(offset) === 0x0002 && isVr(head.toString('latin1', offset + 4, offset + 6));
}
