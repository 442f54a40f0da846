// One input through the batch (anonymizeFiles) into its own folder: the output and its mapping record.
import { anonymizeFiles, type DeidOptions, type MappingRecord, type Pseudonymizer } from '../../src/index.js';

/** Throws unless the input was anonymized; the record is what the mapping store would keep. */
export async function anonymizeOne(input: string, outDir: string, options: DeidOptions, keys: Pseudonymizer): Promise<{ output: string; record: MappingRecord | undefined }> {
  const records: MappingRecord[] = [];
  const summary = await anonymizeFiles({ inputs: [input], outDir, run: { options }, keys, batchId: 'test', record: (batch) => records.push(...batch) });
  const result = summary.results[0];
  if (result?.status !== 'anonymized' || !result.output) throw new Error(`not anonymized: ${JSON.stringify(result)}`);
  return { output: result.output, record: records[0] };
}
