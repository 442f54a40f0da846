import type { CommandIo } from './command.js';

/** A one-line progress display on stderr, only when stderr is a terminal; messages go above it. */
export class ProgressLine {
  private shown = false;

  constructor(private readonly io: CommandIo) {}

  update(done: number, total: number, startedAt: number): void {
    if (!this.io.stderrIsTerminal) return;
    const seconds = Math.max(0.001, (Date.now() - startedAt) / 1000);
    const rate = done / seconds;
    const left = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    this.io.stderr.write(`\r\x1b[K[${String(done).padStart(String(total).length)}/${total}] ${percent}%  ${rate.toFixed(1)} files/s  ${left} s left`);
    this.shown = true;
  }

  message(line: string): void {
    this.clear();
    this.io.stderr.write(`${line}\n`);
  }

  done(): void {
    this.clear();
  }

  private clear(): void {
    if (this.shown) this.io.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
