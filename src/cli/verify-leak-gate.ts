// verify's leak gate: each output searched for the identifying values of its own original, found
// under --against (original-pairing.ts) or through the mapping store. An output it cannot compare
// is a finding ("cannot check"), never a pass.
import path from 'node:path';
import { collectInputs } from '../io/collect-inputs.js';
import { OriginalIndex } from '../pipeline/original-pairing.js';
import { isOurOutput } from '../pipeline/our-output.js';
import type { DeidOptions } from '../deid/options.js';
import type { Pseudonymizer } from '../deid/pseudonyms.js';
import { textLeaks } from '../pipeline/text-leaks.js';
import { findLeaks, identifyingValues, type Finding } from '../pipeline/verify.js';
import { DicomError } from '../dicom/errors.js';
import { readDicomFile, type DicomFile } from '../dicom/read-file.js';
import type { MappingStore } from '../store/mapping-store.js';

export interface AgainstResult {
  readonly findings: Finding[];
  /** Files read as originals, and files skipped as our own outputs. */
  readonly originals: number;
  readonly skippedOriginals: number;
  /** Originals that could not be read; findings only when some output went unpaired. */
  readonly unreadableOriginals: number;
}

/** Pairs each output with its original under `against` and searches it for that original's values. */
export function leaksAgainst(against: readonly string[], optionsOf: ReadonlyMap<string, DeidOptions>, keys: Pseudonymizer | undefined): AgainstResult {
  // Earlier outputs lying among the originals are no originals: their dummies and pseudonyms would
  // all be reported as leaks. A genuine leak in an output is still found through the real original.
  const candidates = collectInputs(against).files.map((file) => file.path);
  const originals = candidates.filter((candidate) => !isOurOutput(candidate));
  const index = new OriginalIndex(originals, keys);
  const findings: Finding[] = [];
  let unpaired = 0;
  for (const [output, options] of optionsOf) {
    const file = readOutput(output);
    if (!file) continue; // verifyOutput reported it unreadable
    const paired = index.originalsOf(file, output);
    if (paired.length === 0) {
      unpaired++;
      const how = keys ? 'by its SOP Instance UID, kept or keyed with this secret, or by its name' : 'by its SOP Instance UID; without the secret a keyed one cannot be paired';
      findings.push({ file: output, kind: 'cannot-check', detail: `${output}: no original under --against pairs with it (${how}); cannot search it for leaks` });
      continue;
    }
    findings.push(...leaksOfOwnOriginal(output, paired, options));
  }
  // An original nobody can read may be the one an unpaired output came from.
  if (unpaired > 0) {
    for (const { path: original, reason } of index.unreadable) {
      findings.push({ file: original, kind: 'cannot-check', detail: `${reason}; an output made from this original cannot be checked` });
    }
  }
  return { findings, originals: originals.length - index.notDicom, skippedOriginals: candidates.length - originals.length, unreadableOriginals: index.unreadable.length };
}

/** Searches each output for the values of the original the mapping store records for its name. */
export async function leaksByMapping(store: MappingStore, optionsOf: ReadonlyMap<string, DeidOptions>): Promise<Finding[]> {
  const byOutput = new Map((await store.records()).map((record) => [record.anonymizedFilename, record.originalFilename]));
  const findings: Finding[] = [];
  for (const [output, options] of optionsOf) {
    const original = byOutput.get(path.basename(output));
    if (!original) {
      findings.push({ file: output, kind: 'cannot-check', detail: `${output}: not in the mapping store; cannot search it for its original's values` });
      continue;
    }
    if (readOutput(output)) findings.push(...leaksOfOwnOriginal(output, [original], options));
  }
  return findings;
}

/**
 * The output was made from one of `originals` (one, unless originals share a SOP Instance UID):
 * it passes when it shows no value of one of them, else the fewest findings are reported.
 */
function leaksOfOwnOriginal(output: string, originals: readonly string[], options: DeidOptions): Finding[] {
  let best: Finding[] | undefined;
  for (const original of originals) {
    let found: Finding[];
    try {
      found = [...findLeaks(output, identifyingValues(original, options)), ...textLeaks(output, original, options)];
    } catch (error) {
      if (!(error instanceof DicomError)) throw error;
      found = [{ file: output, kind: 'cannot-check', detail: `${output}: its original cannot be read (${error.message}); cannot search it for leaks` }];
    }
    if (!best || found.length < best.length) best = found;
    if (best.length === 0) break;
  }
  return best ?? [];
}

function readOutput(output: string): DicomFile | undefined {
  try {
    return readDicomFile(output);
  } catch (error) {
    if (error instanceof DicomError) return undefined;
    throw error;
  }
}
