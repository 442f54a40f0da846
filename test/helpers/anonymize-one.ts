// One input through the batch (anonymizeFiles) into its own folder: the output and its mapping record.
import type { DeidOptions } from '../../src/deid/options.js';
import type { Pseudonymizer } from '../../src/deid/pseudonyms.js';
import { anonymizeFiles } from '../../src/pipeline/anonymize-files.js';
import type { MappingRecord } from '../../src/store/mapping-record.js';

/** Throws unless the input was anonymized; the record is what the mapping store would keep. */
export async function anonymizeOne(input: string, outDir: string, options: DeidOptions, keys: Pseudonymizer): Promise<{ output: string; record: MappingRecord | undefined }> {
  const records: MappingRecord[] = [];
  const summary = await anonymizeFiles({ inputs: [input], outDir, run: { options }, keys, batchId: 'test', record: (batch) => records.push(...batch) });
  const result = summary.results[0];
  if (result?.status !== 'anonymized' || !result.output) throw new Error(`not anonymized: ${JSON.stringify(result)}`);
  return { output: result.output, record: records[0] };
}
