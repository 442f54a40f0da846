const ENTER = '\u001B[?1049h';
const LEAVE = '\u001B[?1049l';

/**
 * Switches the terminal to its alternate screen, as full-screen programs do, so that quitting
 * gives back the shell's screen exactly as it was. `leave()` is safe to call twice, and runs on
 * process exit too (a signal, a crash).
 */
export function enterAlternateScreen(stdout: NodeJS.WriteStream): { leave: () => void } {
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    process.off('exit', leave);
    stdout.write(LEAVE);
  };
  stdout.write(ENTER);
  process.on('exit', leave);
  return { leave };
}
