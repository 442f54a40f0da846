/**
 * Not a problem with the file but a bug of ours: reported loudly, naming the file and the error's
 * first line (our messages carry no values), and the batch goes on.
 */
export function internalErrorReason(file: string, error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : 'unknown error';
  return `${file}: internal error (please report): ${message}`;
}
