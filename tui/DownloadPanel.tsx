import { Box } from 'ink';
import { printableText } from '../src/index.js';
import { useMessages } from './contexts.js';
import { TextPrompt } from './TextPrompt.js';
import { Tint } from './Tint.js';
import type { useDownload } from './use-download.js';

export interface DownloadPanelProps {
  readonly download: ReturnType<typeof useDownload>;
  readonly width: number;
}

/** Where the exports went, the prompt or overwrite question, and the reminder about the mapping. */
export function DownloadPanel({ download, width }: DownloadPanelProps) {
  const messages = useMessages();
  const { mode, message, written } = download;
  return (
    <Box flexDirection="column">
      {written.zip ? <Tint tone="ok">{messages.download.zipDone(printableText(written.zip.path), written.zip.count)}</Tint> : null}
      {written.mapping ? <Tint tone="ok">{messages.download.csvDone(printableText(written.mapping.path), written.mapping.count)}</Tint> : null}
      {mode.name === 'prompt' ? (
        <TextPrompt
          label={mode.kind === 'zip' ? messages.download.zipPrompt : messages.download.csvPrompt}
          value={mode.value}
          width={width}
          onChange={download.edit}
          onSubmit={(value) => download.submit(mode.kind, value)}
          onCancel={download.cancel}
        />
      ) : null}
      {mode.name === 'confirm' ? (
        <Tint bold tone="warning" wrap="wrap">
          {messages.download.overwrite(printableText(mode.target))}
        </Tint>
      ) : null}
      {mode.name === 'writing' ? <Tint>{messages.download.writing}</Tint> : null}
      {message ? (
        <Tint wrap="wrap" {...(message.error ? { tone: 'error' as const } : {})}>
          {printableText(message.text)}
        </Tint>
      ) : null}
      <Tint tone="warning" wrap="wrap">
        {messages.download.reminder}
      </Tint>
    </Box>
  );
}
