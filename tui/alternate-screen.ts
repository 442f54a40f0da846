const ENTER = '\u001B[?1049h';
/** Cursor home, erase the screen, then back to the normal screen. */
const LEAVE = '\u001B[H\u001B[2J\u001B[?1049l';

/**
 * Switches the terminal to its alternate screen, as full-screen programs do, so that quitting
 * gives back the shell's screen exactly as it was. The alternate screen is erased before it is left:
 * after a resize, a terminal (tmux, xterm) otherwise carries rows of it into the shell's screen.
 * `leave()` is safe to call twice, and runs on process exit too (a signal, a crash).
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
