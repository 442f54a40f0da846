import path from 'node:path';

/** A batch's output names from new SOP Instance UIDs: unique within the batch (a duplicate gets "-2", "-3", ...). */
export class OutputNames {
  private readonly taken = new Set<string>();

  constructor(private readonly outDir: string) {}

  /** `stem` is safe as a file name (deidentifyRead made it so). */
  claim(stem: string): string {
    let name = `${stem}.dcm`;
    for (let counter = 2; this.taken.has(name); counter++) name = `${stem}-${counter}.dcm`;
    this.taken.add(name);
    return path.join(this.outDir, name);
  }

  release(output: string): void {
    this.taken.delete(path.basename(output));
  }
}
