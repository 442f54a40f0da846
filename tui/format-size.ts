import type { Language } from './messages.js';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** A byte count for people: "340 B", "12 KB", "1.2 MB" (decimal comma in German). */
export function formatSize(bytes: number, language: Language): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const text = unit === 0 || value >= 100 ? Math.round(value).toString() : value.toFixed(1);
  return `${language === 'de' ? text.replace('.', ',') : text} ${UNITS[unit]}`;
}

/** A decimal number with one digit after the point, in the language's notation. */
export function formatDecimal(value: number, language: Language): string {
  const text = value.toFixed(1);
  return language === 'de' ? text.replace('.', ',') : text;
}
