import { statSync } from 'node:fs';
import { render } from 'ink';
import { createElement } from 'react';
import { configuredPixelRegions, configuredSiteRules, EXIT_OK, EXIT_USAGE, loadConfig, MAPPING_URL_FLAG_HELP, storeConfigFrom, UsageError, usageErrorText, type CommandIo, type Config, type MappingStoreConfig } from '../src/index.js';
import { App } from './App.js';
import { enterAlternateScreen } from './alternate-screen.js';
import { MESSAGES } from './messages.js';
import { parseTuiArgs, type TuiArgs } from './parse-tui-args.js';
import { RunSession } from './run-session.js';
import { themeFromEnv } from './theme.js';
import { createTuiDeps } from './tui-deps.js';

export const TUI_USAGE = `Usage: dicom-tools tui [DIR] [--out DIR] [--lang en|de] [--mapping-url URL]
       dicom-tools            (with no arguments, on a terminal)

Opens the terminal UI: pick files in a folder browser starting at DIR (default: the current
folder), set the six options and the PS3.15 profile and options, anonymize with a progress bar,
review every file before and after, and save a ZIP of the anonymized files and the mapping CSV.
Press ? for the keys.

Options:
  -o, --out DIR        folder for the anonymized files (default: ./anonymized)
  --lang en|de         language of the screens (default: German when LC_ALL, LC_MESSAGES or
                       LANG starts with "de", else English)
${MAPPING_URL_FLAG_HELP}
  -h, --help

Needs a terminal on stdin and stdout; without one it prints this and exits with status 2.
Respects NO_COLOR. The mapping store (unless --mapping-url), secret and defaults come from
DICOM_DATA_DIR and the other DICOM_* variables, as for 'dicom-tools anonymize'; the Configure
step names the store.`;

/** `dicom-tools tui`: runs the terminal UI until the user quits; afterwards lists what was saved. */
export async function tuiCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const cwd = process.cwd();
  let parsed: TuiArgs;
  let config: Config;
  let store: MappingStoreConfig;
  try {
    parsed = parseTuiArgs(args, cwd, process.env);
    if (parsed.help) {
      io.stdout.write(`${TUI_USAGE}\n`);
      return EXIT_OK;
    }
    if (!statSync(parsed.startDir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${parsed.startDir} is not a folder`);
    config = loadConfig();
    store = storeConfigFrom({ 'mapping-url': parsed.mappingUrl }, config);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(usageErrorText('tui', error.message));
    return EXIT_USAGE;
  }
  // Before the screen changes, with or without a terminal: a rules file that cannot be used stops here, naming its line.
  const defaults = { ...config.defaults, ...configuredSiteRules(config.rules), ...configuredPixelRegions(config.pixelRegions) };
  if (process.stdin.isTTY !== true || !io.stdoutIsTerminal) {
    io.stderr.write(usageErrorText('tui', 'needs a terminal (stdin and stdout must both be one)'));
    return EXIT_USAGE;
  }
  // --mapping-url stands in for DICOM_MAPPING_URL: every run and export of the session uses that store.
  // Written on the screen, a notice would vanish with it: said after the session.
  const notices: string[] = [];
  const deps = createTuiDeps({ ...config, mappingUrl: store.mappingUrl }, (notice) => notices.push(notice), process.env);
  const session = new RunSession(deps);
  const messages = MESSAGES[parsed.language];
  const screen = enterAlternateScreen(process.stdout);
  try {
    const app = createElement(App, { deps, session, startDir: parsed.startDir, outDir: parsed.outDir, cwd, defaults, messages, theme: themeFromEnv(process.env) });
    await render(app, { exitOnCtrlC: false }).waitUntilExit();
  } finally {
    screen.leave();
    await session.settle();
    await session.close();
  }
  for (const file of session.exported) {
    io.stdout.write(`${file.kind === 'zip' ? messages.download.zipDone(file.path, file.count) : messages.download.csvDone(file.path, file.count)}\n`);
  }
  if (session.exported.some((file) => file.kind === 'mapping')) io.stdout.write(`${messages.download.reminder}\n`);
  for (const notice of notices) io.stderr.write(`dicom-tools tui: ${notice}\n`);
  return EXIT_OK;
}
