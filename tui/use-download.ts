import path from 'node:path';
import { useState } from 'react';
import type { AnonymizeSummary } from '../src/index.js';
import { useMessages } from './contexts.js';
import type { RunSession } from './run-session.js';

export type ExportKind = 'zip' | 'mapping';

export type DownloadMode =
  | { readonly name: 'idle' }
  | { readonly name: 'prompt'; readonly kind: ExportKind; readonly value: string }
  | { readonly name: 'confirm'; readonly kind: ExportKind; readonly target: string }
  | { readonly name: 'writing'; readonly kind: ExportKind };

export interface Written {
  readonly path: string;
  readonly count: number;
}

export interface DownloadOptions {
  readonly session: RunSession;
  readonly summary: AnonymizeSummary;
  readonly outDir: string;
  /** Typed paths resolve against this folder. */
  readonly cwd: string;
  readonly pathExists: (file: string) => boolean;
}

/** Default export paths beside the output folder, never inside it. */
export function defaultExportPath(kind: ExportKind, outDir: string): string {
  return kind === 'zip' ? `${outDir}.zip` : `${outDir}-mapping.csv`;
}

/**
 * The export flow: ask for a path (with a default), refuse a mapping inside the output folder,
 * confirm before overwriting, write, and remember where each file went.
 */
export function useDownload({ session, summary, outDir, cwd, pathExists }: DownloadOptions) {
  const messages = useMessages();
  const [mode, setMode] = useState<DownloadMode>({ name: 'idle' });
  const [message, setMessage] = useState<{ readonly text: string; readonly error: boolean } | undefined>(undefined);
  const [written, setWritten] = useState<Partial<Record<ExportKind, Written>>>({});

  const write = (kind: ExportKind, target: string) => {
    setMode({ name: 'writing', kind });
    setMessage(undefined);
    const work = kind === 'zip' ? session.exportZip(summary, target) : session.exportMapping(summary.batchId, target);
    work.then(
      (count) => {
        setWritten((previous) => ({ ...previous, [kind]: { path: target, count } }));
        setMode({ name: 'idle' });
      },
      (error: unknown) => {
        setMessage({ text: messages.download.failed(error instanceof Error ? error.message : String(error)), error: true });
        setMode({ name: 'idle' });
      },
    );
  };

  const start = (kind: ExportKind) => {
    if (kind === 'zip' && !summary.results.some((result) => result.output !== undefined)) {
      setMessage({ text: messages.download.nothingToZip, error: true });
      return;
    }
    setMessage(undefined);
    setMode({ name: 'prompt', kind, value: written[kind]?.path ?? defaultExportPath(kind, outDir) });
  };

  const submit = (kind: ExportKind, typed: string) => {
    const target = path.resolve(cwd, typed.trim());
    const outside = path.relative(outDir, target);
    if (kind === 'mapping' && (outside === '' || (!outside.startsWith('..') && !path.isAbsolute(outside)))) {
      setMessage({ text: messages.download.insideOutput, error: true });
      return;
    }
    if (pathExists(target)) setMode({ name: 'confirm', kind, target });
    else write(kind, target);
  };

  /** No leaves the file alone and ends the export: the next key acts on the results, not in a path. */
  const answer = (yes: boolean) => {
    if (mode.name !== 'confirm') return;
    if (yes) write(mode.kind, mode.target);
    else {
      setMode({ name: 'idle' });
      setMessage({ text: messages.download.kept, error: false });
    }
  };

  const edit = (value: string) => mode.name === 'prompt' && setMode({ ...mode, value });
  const cancel = () => {
    setMode({ name: 'idle' });
    setMessage(undefined);
  };
  return { mode, message, written, start, submit, answer, edit, cancel };
}
