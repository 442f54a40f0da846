import { eachOutlinePixel, OUTLINE_COLOURS, type OutlineBox } from './picture-outline.js';
import { scaledRgb } from './scale-rgb.js';

/** How many colours the terminal shows: 24-bit, the xterm 256-colour palette, or the 16 standard ones. */
export type ColourSupport = 'truecolor' | '256' | '16';

export interface TerminalPictureOptions {
  /** Character cells across the picture may take at most. */
  readonly columns: number;
  /** Lines the picture may take at most (each shows two pixel rows). */
  readonly rows: number;
  readonly colours: ColourSupport;
  /** Boxes drawn over the picture, scaled with it. */
  readonly outline?: readonly OutlineBox[];
}

/**
 * An 8-bit RGB image (3 bytes a pixel, rows top to bottom) as terminal lines: each cell an upper
 * half block '▀' whose foreground is the upper pixel and background the lower one. Shrunk to fit
 * `columns` × `rows` keeping its aspect (each output pixel the area average of the pixels it
 * covers), never enlarged. Each line ends by resetting the colours.
 */
export function terminalPicture(rgb: Uint8Array, width: number, height: number, options: TerminalPictureOptions): string[] {
  const scale = Math.min(1, options.columns / width, (options.rows * 2) / height);
  const outWidth = Math.max(1, Math.min(options.columns, Math.round(width * scale)));
  const outHeight = Math.max(1, Math.min(options.rows * 2, Math.round(height * scale)));
  const picture = scaledRgb(rgb, width, height, outWidth, outHeight);
  eachOutlinePixel(options.outline ?? [], outWidth, outHeight, outWidth / width, outHeight / height, (x, y, kind) => picture.set(OUTLINE_COLOURS[kind], (y * outWidth + x) * 3));
  const codes = SGR[options.colours];
  const lines: string[] = [];
  for (let top = 0; top < outHeight; top += 2) {
    let line = '';
    let previous = '';
    for (let x = 0; x < outWidth; x++) {
      const upper = (top * outWidth + x) * 3;
      const lower = ((top + 1) * outWidth + x) * 3;
      const foreground = codes.foreground(picture[upper] ?? 0, picture[upper + 1] ?? 0, picture[upper + 2] ?? 0);
      // An odd last pixel row has nothing below it: the terminal's own background.
      const background = top + 1 < outHeight ? codes.background(picture[lower] ?? 0, picture[lower + 1] ?? 0, picture[lower + 2] ?? 0) : '49';
      const sgr = `\x1b[${foreground};${background}m`;
      line += sgr === previous ? '▀' : `${sgr}▀`;
      previous = sgr;
    }
    lines.push(`${line}\x1b[0m`);
  }
  return lines;
}

/**
 * What the terminal shows, from its environment (passed in: `process.env` in the program): 24-bit
 * when COLORTERM says so or TERM names a direct-colour terminal, 256 colours when TERM names them,
 * else the 16 standard colours.
 */
export function colourSupport(env: Readonly<Record<string, string | undefined>>): ColourSupport {
  const colorTerm = (env['COLORTERM'] ?? '').toLowerCase();
  const term = (env['TERM'] ?? '').toLowerCase();
  if (colorTerm === 'truecolor' || colorTerm === '24bit' || term.endsWith('-direct')) return 'truecolor';
  if (term.includes('256')) return '256';
  return '16';
}

interface SgrCodes {
  foreground(red: number, green: number, blue: number): string;
  background(red: number, green: number, blue: number): string;
}

const SGR: Readonly<Record<ColourSupport, SgrCodes>> = {
  truecolor: {
    foreground: (red, green, blue) => `38;2;${red};${green};${blue}`,
    background: (red, green, blue) => `48;2;${red};${green};${blue}`,
  },
  '256': {
    foreground: (red, green, blue) => `38;5;${xterm256(red, green, blue)}`,
    background: (red, green, blue) => `48;5;${xterm256(red, green, blue)}`,
  },
  '16': {
    foreground: (red, green, blue) => {
      const index = nearestStandard(red, green, blue);
      return String(index < 8 ? 30 + index : 90 + index - 8);
    },
    background: (red, green, blue) => {
      const index = nearestStandard(red, green, blue);
      return String(index < 8 ? 40 + index : 100 + index - 8);
    },
  },
};

const CUBE_LEVELS = [0, 95, 135, 175, 215, 255] as const;

/** The nearest xterm 256-palette colour: of the 6×6×6 cube (16–231) and the grey ramp (232–255). */
export function xterm256(red: number, green: number, blue: number): number {
  const level = (value: number): number => (value < 48 ? 0 : value < 115 ? 1 : Math.floor((value - 35) / 40));
  const [r, g, b] = [level(red), level(green), level(blue)];
  const cube = [CUBE_LEVELS[r] ?? 0, CUBE_LEVELS[g] ?? 0, CUBE_LEVELS[b] ?? 0] as const;
  const step = Math.min(23, Math.max(0, Math.round(((red + green + blue) / 3 - 8) / 10)));
  const shade = 8 + 10 * step;
  const distance = (to: readonly [number, number, number]): number => (red - to[0]) ** 2 + (green - to[1]) ** 2 + (blue - to[2]) ** 2;
  return distance([shade, shade, shade]) < distance(cube) ? 232 + step : 16 + 36 * r + 6 * g + b;
}

/** The 16 standard colours as xterm shows them by default: black, red, green, yellow, blue, magenta, cyan, white, then the bright ones. */
const STANDARD_COLOURS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [205, 0, 0],
  [0, 205, 0],
  [205, 205, 0],
  [0, 0, 238],
  [205, 0, 205],
  [0, 205, 205],
  [229, 229, 229],
  [127, 127, 127],
  [255, 0, 0],
  [0, 255, 0],
  [255, 255, 0],
  [92, 92, 255],
  [255, 0, 255],
  [0, 255, 255],
  [255, 255, 255],
];

/** Index (0–15) of the nearest standard colour. */
export function nearestStandard(red: number, green: number, blue: number): number {
  let best = 0;
  let bestDistance = Infinity;
  STANDARD_COLOURS.forEach(([r, g, b], index) => {
    const distance = (red - r) ** 2 + (green - g) ** 2 + (blue - b) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [index, distance];
  });
  return best;
}
