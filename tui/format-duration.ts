/**
 * Seconds as "m:ss" or "h:mm:ss". Elapsed time rounds down; time left rounds up, so that
 * "0:00 left" means done.
 */
export function formatDuration(seconds: number, rounding: 'down' | 'up' = 'down'): string {
  const total = Math.max(0, rounding === 'up' ? Math.ceil(seconds) : Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}
