/**
 * Month names a date may be written with in free text: English and German, full and abbreviated
 * (the product is German; DICOM's own DA is neither). Index 0 is January.
 */
const MONTH_NAMES: readonly (readonly string[])[] = [
  ['January', 'Jan', 'Januar', 'Jänner'],
  ['February', 'Feb', 'Februar'],
  ['March', 'Mar', 'März', 'Maerz', 'Mär', 'Mrz'],
  ['April', 'Apr'],
  ['May', 'Mai'],
  ['June', 'Jun', 'Juni'],
  ['July', 'Jul', 'Juli'],
  ['August', 'Aug'],
  ['September', 'Sep', 'Sept'],
  ['October', 'Oct', 'Oktober', 'Okt'],
  ['November', 'Nov'],
  ['December', 'Dec', 'Dezember', 'Dez'],
];

const ORDINAL = '(?:st|nd|rd|th)?';

/**
 * A regular expression source (no flags, no boundaries) matching one calendar date in the common
 * notations: 20210312, 2021-03-12, 2021/3/12, 12.03.2021, 12.3.21, 12/03/2021, 03/12/2021,
 * 12-03-2021, 12 Mar 2021, 12-Mar-2021, 12. März 2021, March 12, 2021. Undefined for anything that
 * is not a valid YYYYMMDD date (a partial DA, a DT without its day).
 */
export function datePattern(yyyymmdd: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})/.exec(yyyymmdd);
  if (!match) return undefined;
  const [, year = '', mm = '', dd = ''] = match;
  const month = Number(mm);
  const day = Number(dd);
  const names = MONTH_NAMES[month - 1];
  if (!names || day < 1 || day > 31) return undefined;
  const m = month < 10 ? `0?${month}` : mm;
  const d = day < 10 ? `0?${day}` : dd;
  const yy = year.slice(2);
  const name = `(?:${[...names].sort((a, b) => b.length - a.length).join('|')})`;
  return [
    `${year}${mm}${dd}`,
    `${year}[-/.]${m}[-/.]${d}`,
    // Day first (Europe), the year in four or two digits.
    `${d}[./-]${m}[./-](?:${year}|${yy})`,
    // Month first (US).
    `${m}/${d}/(?:${year}|${yy})`,
    `${d}${ORDINAL}[.\\s-]*${name}[.,\\s-]*${year}`,
    `${name}\\.?\\s*${d}${ORDINAL},?\\s*${year}`,
  ].join('|');
}
