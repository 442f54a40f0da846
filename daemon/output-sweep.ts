import { fileIdentity } from './file-identity.js';

/**
 * Our outputs in Sources, which the watcher no longer polls (an idle daemon stays idle), looked at
 * again a few at a time, in turn: a file copied or renamed over an output's name is a new upload.
 * Holds a path and an identity per output.
 */
export class OutputSweep {
  private readonly outputs = new Map<string, string>();
  private cursor: Iterator<[string, string]> = this.outputs.entries();

  /** An output of ours, as it was put in place (fileIdentity), else as it is now. */
  add(file: string, identity = fileIdentity(file)): void {
    if (identity !== undefined) this.outputs.set(file, identity);
  }

  /**
   * Looks at up to `limit` outputs, continuing where the last look ended; returns those that are no
   * longer the file we wrote, and forgets them and the ones that are gone.
   */
  changed(limit: number): string[] {
    const changed: string[] = [];
    for (let looked = 0; looked < Math.min(limit, this.outputs.size); looked++) {
      let next = this.cursor.next();
      if (next.done === true) {
        this.cursor = this.outputs.entries();
        next = this.cursor.next();
        if (next.done === true) break;
      }
      const [file, identity] = next.value;
      const now = fileIdentity(file);
      if (now === identity) continue;
      this.outputs.delete(file);
      if (now !== undefined) changed.push(file);
    }
    return changed;
  }
}
