// Moving dates by a whole number of days (Retain Longitudinal Modified Dates): intervals between a
// patient's dates survive, the calendar dates do not. Times of day are kept; ages stay valid.

const DAY_MS = 86_400_000;

function shiftYmd(year: number, month: number, day: number, days: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return undefined; // 31 February and the like
  const shifted = new Date(date.getTime() + days * DAY_MS);
  const y = shifted.getUTCFullYear();
  if (y < 1 || y > 9999) return undefined;
  return `${String(y).padStart(4, '0')}${String(shifted.getUTCMonth() + 1).padStart(2, '0')}${String(shifted.getUTCDate()).padStart(2, '0')}`;
}

/** A DA value (YYYYMMDD, or the ACR-NEMA YYYY.MM.DD), or a range of them, moved by `days`; undefined if not a full date. */
export function shiftDa(value: string, days: number): string | undefined {
  const trimmed = value.trim();
  if (trimmed.includes('-')) {
    const parts = trimmed.split('-').map((part) => (part === '' ? '' : shiftDa(part, days)));
    return parts.some((part) => part === undefined) ? undefined : parts.join('-');
  }
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(trimmed);
  if (!match) return undefined;
  return shiftYmd(Number(match[1]), Number(match[2]), Number(match[3]), days);
}

/** A DT value with at least a full date, moved by `days`; time, fraction and offset are kept. */
export function shiftDt(value: string, days: number): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(.*)$/.exec(value.trim());
  if (!match) return undefined;
  const date = shiftYmd(Number(match[1]), Number(match[2]), Number(match[3]), days);
  return date === undefined ? undefined : `${date}${match[4] ?? ''}`;
}
