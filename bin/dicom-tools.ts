#!/usr/bin/env node
// The dicom-tools program: dispatches to the engine's commands (src/cli), the watch daemon
// (daemon/) and the terminal UI (tui/). Only this file knows all three.
// Straight from their modules, not src/index.ts: that would load the whole engine before every command.
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, processIo, type Command, type CommandIo } from '../src/cli/command.js';
import { didYouMean } from '../src/cli/parse-command-args.js';
import { UsageError, usageErrorText } from '../src/cli/usage-error.js';
import { ConfigError } from '../src/config/config-error.js';
import { DicomToolsError } from '../src/errors/dicom-tools-error.js';
import { printableText } from '../src/io/printable-text.js';

async function loadInspect(): Promise<Command> {
  return (await import('../src/cli/inspect-command.js')).inspectCommand;
}

// Each command's module is loaded only when it runs: start-up time is part of every batch's time,
// and Ink, React, chokidar and the exports stay out of the commands that do not need them.
const COMMANDS: Readonly<Record<string, { readonly load: () => Promise<Command>; readonly summary: string }>> = {
  anonymize: {
    load: async () => import('../src/cli/anonymize-command.js').then((module) => module.anonymizeCommand),
    summary: 'de-identify DICOM files into a folder, with optional ZIP and mapping CSV',
  },
  verify: {
    load: async () => import('../src/cli/verify-command.js').then((module) => module.verifyCommand),
    summary: 'check anonymized files; with the originals, search them for leaked values',
  },
  mapping: {
    load: async () => import('../src/cli/mapping-command.js').then((module) => module.mappingCommand),
    summary: 'export the mapping CSV, UID pairs or patient ID pairs from the store, or list batches',
  },
  watch: {
    load: async () => import('../daemon/watch-command.js').then((module) => module.watchCommand),
    summary: 'run the watch daemon: anonymize every DICOM file that lands in Sources',
  },
  status: {
    load: async () => import('../src/cli/status-command.js').then((module) => module.statusCommand),
    summary: "show the watch daemon's status",
  },
  tui: {
    load: async () => async (args, io) => {
      // Ink draws nothing until exit when CI is set (is-in-ci); on a real terminal a person is looking.
      if (io.stdoutIsTerminal) delete process.env['CI'];
      return (await import('../tui/tui-command.js')).tuiCommand(args, io);
    },
    summary: 'open the terminal UI: pick files, set options, anonymize, review, save ZIP and mapping',
  },
  preview: {
    load: async () => import('../src/cli/preview-command.js').then((module) => module.previewCommand),
    summary: 'draw a frame in the terminal (or as PNG) with the regions pixel cleaning blanks outlined',
  },
  'scan-pixels': {
    load: async () => import('../src/cli/scan-pixels-command.js').then((module) => module.scanPixelsCommand),
    summary: 'read the text burned into images with OCR, for an audit (never printing the words)',
  },
  inspect: { load: loadInspect, summary: 'print every data element of a DICOM file (like dcmdump), or --json' },
  dump: { load: loadInspect, summary: 'the same as inspect' },
};

/** The version our outputs name in (0002,0013) too: one reading of package.json for both. */
async function version(): Promise<string> {
  return (await import('../src/dicom/implementation.js')).PACKAGE_VERSION;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `Usage: dicom-tools COMMAND [options]

De-identify DICOM files for research, teaching and second opinions.

Commands:
${lines.join('\n')}

Run 'dicom-tools COMMAND --help' for a command's options.
Options: -h, --help   -v, --version`;
}

async function main(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  // With no arguments on a terminal, open the terminal UI; otherwise print the usage.
  const [name, ...rest] = argv.length === 0 && process.stdin.isTTY === true && io.stdoutIsTerminal ? ['tui'] : argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '-v' || name === '--version') {
    io.stdout.write(`dicom-tools ${await version()}\n`);
    return EXIT_OK;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(usageErrorText(undefined, `unknown command '${printableText(name)}'${didYouMean(name, Object.keys(COMMANDS))}`));
    return EXIT_USAGE;
  }
  const command = await entry.load();
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(usageErrorText(name, printableText(error.message)));
      return EXIT_USAGE;
    }
    // A bad setting is a usage error too (exit 2), but the command's help does not describe the DICOM_* variables.
    if (error instanceof ConfigError) {
      io.stderr.write(`dicom-tools ${name}: ${printableText(error.message)}\n`);
      return EXIT_USAGE;
    }
    // Problems the user can act on get their message; anything else is a bug and shows its stack.
    if (error instanceof DicomToolsError && error.kind === 'abort') {
      io.stderr.write(`dicom-tools ${name}: ${printableText(error.message)}\n`);
      return EXIT_FAILED;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
