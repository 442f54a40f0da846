/** Where a command writes; injected so tests can capture output without a terminal. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdoutIsTerminal: boolean;
  readonly stderrIsTerminal: boolean;
}

/** A command of the dicom-tools program: its arguments after the command name in, its exit code out. */
export type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

export const processIo: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdoutIsTerminal: process.stdout.isTTY === true,
  stderrIsTerminal: process.stderr.isTTY === true,
};

/** Exit codes shared by every command: 0 success, 1 some input failed, 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
