import { loadConfig } from '../config/config.js';
import { printableText } from '../io/printable-text.js';
import { describeDaemonStatus, readDaemonStatus } from '../status/daemon-status.js';
import { describeMappingStore } from '../store/open-mapping-store.js';
import { EXIT_OK, type CommandIo } from './command.js';
import { parseCommandArgs } from './parse-command-args.js';

export const STATUS_USAGE = `Usage: dicom-tools status [--json]

Shows the watch daemon's status: running or not, since when, the watched folder, the queue, files
anonymized today, files quarantined and the last error, the store it records into and whether it
waits for that store; and which mapping store is configured (the SQLite file, or the PostgreSQL
server and database of DICOM_MAPPING_URL, never its password).

  --json   print { "daemon": <the daemon's status record, or null when none has run with this
           data folder>, "mappingStore": "<the configured store, as above>" }`;

export async function statusCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs({ args: [...args], options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    io.stdout.write(`${STATUS_USAGE}\n`);
    return EXIT_OK;
  }
  const config = loadConfig();
  const status = readDaemonStatus(config.dataDir);
  const mappingStore = await describeMappingStore(config);
  if (values.json) io.stdout.write(`${JSON.stringify({ daemon: status ?? null, mappingStore }, null, 2)}\n`);
  else io.stdout.write(`${[...describeDaemonStatus(status), printableText(`Mapping store: ${mappingStore}`)].join('\n')}\n`);
  return EXIT_OK;
}
