import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { readDicomFile, type DicomFile } from '../src/dicom/read-file.js';
import { blankedFrame } from '../src/pixels/blank-frame.js';
import { displayRgb, NO_DISPLAY_SETTINGS, type DisplaySettings } from '../src/pixels/display-frame.js';
import { displaySettingsOf } from '../src/pixels/display-settings.js';
import { fillSamples } from '../src/pixels/fill-value.js';
import { imagePixelsOf, type ImagePixels } from '../src/pixels/image-pixels.js';
import { nativeFrame } from '../src/pixels/native-frame.js';
import type { OutlineBox } from '../src/pixels/picture-outline.js';
import { pngOf } from '../src/pixels/png-picture.js';
import { previewPicture } from '../src/pixels/preview-picture.js';
import type { RegionList } from '../src/pixels/region-list.js';
import { regionsFromLists, spansOfBoxes } from '../src/pixels/regions-to-blank.js';
import { ultrasoundRegions } from '../src/pixels/ultrasound-regions.js';
import { SHIPPED_REGION_LIST } from '../src/pixels/shipped-regions.generated.js';
import { colourSupport, terminalPicture } from '../src/pixels/terminal-picture.js';
import { corpusDir } from './helpers/corpus.js';
import { runCli } from './helpers/run-cli.js';

// The picture a person checks before pixel cleaning (issue 20): frames displayed as DCMTK's
// dcm2pnm displays them, drawn in the terminal in half blocks and as PNG, with the regions that
// cleaning blanks outlined; and `dicom-tools preview` run as a real process (npm test builds first).

const root = mkdtempSync(path.join(tmpdir(), 'dicom-preview-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const corpus = (name: string): string => path.join(corpusDir, name);

/** What DCMTK shows: dcm2pnm's 8-bit PGM/PPM of one frame, as RGB. */
function dcmtkRgb(file: string, frame: number, options: readonly string[]): { rgb: Uint8Array; width: number; height: number } {
  const out = path.join(root, `dcmtk-${path.basename(file)}-${frame}-${options.join('_')}.pnm`);
  execFileSync('dcm2pnm', ['-q', '+F', String(frame), ...options, file, out], { stdio: ['ignore', 'ignore', 'pipe'] });
  const bytes = readFileSync(out);
  const header = /^P([56])\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.toString('latin1', 0, 64));
  if (!header) throw new Error(`${out}: not an 8-bit binary PNM`);
  const [, kind, width, height] = header.map((part) => part) as [string, string, string, string];
  const pixels = Number(width) * Number(height);
  const data = bytes.subarray(header[0].length);
  const rgb = kind === '6' ? new Uint8Array(data.subarray(0, pixels * 3)) : new Uint8Array(pixels * 3).map((_, index) => data[Math.floor(index / 3)] ?? 0);
  return { rgb, width: Number(width), height: Number(height) };
}

function ours(file: string, frame: number, settings?: (fromFile: DisplaySettings) => DisplaySettings): { rgb: Uint8Array; image: ImagePixels } {
  const dicom = readDicomFile(file);
  const image = imagePixelsOf(dicom);
  const fromFile = displaySettingsOf(dicom, image);
  return { rgb: displayRgb(image, nativeFrame(dicom, image, frame - 1), settings ? settings(fromFile) : fromFile), image };
}

/** The largest difference of any channel of any pixel. */
function largestDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let largest = 0;
  for (let index = 0; index < a.length; index++) largest = Math.max(largest, Math.abs((a[index] ?? 0) - (b[index] ?? 0)));
  return largest;
}

// RLE and JPEG frames made native by DCMTK itself, until our codecs are wired in.
const palette = path.join(root, 'palette.dcm');
execFileSync('dcmdrle', [corpus('dcm4che_US-PAL-8-10x-echo.dcm'), palette]);
const ybrPlanar = path.join(root, 'ybr-planar.dcm');
execFileSync('dcmdjpeg', ['+cn', '+pl', corpus('dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'), ybrPlanar]);
const deflated = path.join(root, 'deflated.dcm');
execFileSync('dcmconv', ['+td', corpus('dcmqats_1_ELE.dcm'), deflated]);

describe('a frame as a viewer shows it, against DCMTK dcm2pnm', () => {
  const cases: readonly { name: string; file: string; frame: number; dcmtk: readonly string[]; window?: 'min-max' | { center: number; width: number }; tolerance?: number }[] = [
    { name: 'MONOCHROME1 CR (raw ACR-NEMA data set), its own window, inverted', file: corpus('fodicom_CR-MONO1-10-chest.dcm'), frame: 1, dcmtk: ['+Ww', '550', '1024'] },
    { name: 'MONOCHROME1 CR, min-max window', file: corpus('fodicom_CR-MONO1-10-chest.dcm'), frame: 1, dcmtk: ['+Wm'], window: 'min-max' },
    { name: 'signed CT, Explicit VR Big Endian, rescaled, no window (min-max)', file: corpus('fodicom_GH177_BigEndian_undefined_length.dcm'), frame: 1, dcmtk: ['+Wm'] },
    { name: 'signed CT, rescaled to HU, a soft-tissue window', file: corpus('fodicom_GH177_BigEndian_undefined_length.dcm'), frame: 1, dcmtk: ['+Ww', '40', '400'], window: { center: 40, width: 400 } },
    { name: 'signed MR with a narrow window', file: corpus('dcmqadeident_00001.dcm'), frame: 1, dcmtk: ['+Ww', '4', '9'] },
    { name: '12 of 16 bits, Explicit VR Big Endian', file: corpus('dcmqats_3_EBE.dcm'), frame: 1, dcmtk: ['+Ww', '763', '1639'] },
    { name: '12 of 16 bits, deflated data set', file: deflated, frame: 1, dcmtk: ['+Ww', '763', '1639'] },
    { name: 'RGB, frame 3 of 8', file: corpus('dicomparser_IM00001.implicit_little_endian.dcm'), frame: 3, dcmtk: [] },
    { name: 'PALETTE COLOR with 16-bit entries (RLE made native by dcmdrle), frame 2', file: palette, frame: 2, dcmtk: [] },
    // DCMTK's integer YBR conversion lands up to 2 away from PS3.3's equations rounded once.
    { name: 'YBR_FULL, planar (JPEG made native by dcmdjpeg +cn +pl), frame 2', file: ybrPlanar, frame: 2, dcmtk: [], tolerance: 2 },
  ];
  for (const { name, file, frame, dcmtk, window, tolerance } of cases) {
    it(`${name}: every pixel within ±${tolerance ?? 1}`, () => {
      const { rgb, image } = ours(file, frame, window === undefined ? undefined : (settings) => ({ ...settings, window: window === 'min-max' ? undefined : window }));
      const reference = dcmtkRgb(file, frame, dcmtk);
      expect([reference.width, reference.height]).toEqual([image.columns, image.rows]);
      expect(largestDifference(rgb, reference.rgb)).toBeLessThanOrEqual(tolerance ?? 1);
    });
  }

  it('reads the window, rescale and palette the file gives', () => {
    const cr = readDicomFile(corpus('fodicom_CR-MONO1-10-chest.dcm'));
    expect(displaySettingsOf(cr, imagePixelsOf(cr))).toEqual({ window: { center: 550, width: 1024 }, rescale: { slope: 1, intercept: 0 }, palette: undefined });
    const ct = readDicomFile(corpus('fodicom_GH177_BigEndian_undefined_length.dcm'));
    expect(displaySettingsOf(ct, imagePixelsOf(ct))).toMatchObject({ window: undefined, rescale: { slope: 1, intercept: -1024 } });
    const paletteFile = readDicomFile(palette);
    const lut = displaySettingsOf(paletteFile, imagePixelsOf(paletteFile)).palette;
    expect([lut?.firstMapped, lut?.red.length, lut?.green.length, lut?.blue.length]).toEqual([0, 256, 256, 256]);
  });

  it('reads the same frame from the little-endian, big-endian and deflated copies of one image', () => {
    const little = ours(corpus('dcmqats_1_ELE.dcm'), 1).rgb;
    // Compared by largest difference: a diff of two large arrays takes vitest minutes to print.
    expect(largestDifference(ours(corpus('dcmqats_3_EBE.dcm'), 1).rgb, little)).toBe(0);
    expect(largestDifference(ours(deflated, 1).rgb, little)).toBe(0);
  });
});

describe('display conversion of small frames', () => {
  const mono = (photometric: string, bitsStored: number, signed = false): ImagePixels => ({
    rows: 1,
    columns: 4,
    samplesPerPixel: 1,
    bitsAllocated: 16,
    bitsStored,
    signed,
    planar: false,
    frames: 1,
    photometric,
    paddingValue: undefined,
  });
  const words = (...values: number[]): Uint8Array => new Uint8Array(new Uint16Array(values).buffer);
  const grey = (rgb: Uint8Array): number[] => Array.from({ length: rgb.length / 3 }, (_, pixel) => rgb[pixel * 3] ?? -1);
  const window = (center: number, width: number): DisplaySettings => ({ ...NO_DISPLAY_SETTINGS, window: { center, width } });

  it('windows MONOCHROME2 linearly (PS3.3 C.11.2.1.2.1) and inverts MONOCHROME1', () => {
    const samples = words(0, 100, 150, 300);
    expect(grey(displayRgb(mono('MONOCHROME2', 16), { samples, photometric: 'MONOCHROME2' }, window(150.5, 101)))).toEqual([0, 0, 128, 255]);
    expect(grey(displayRgb(mono('MONOCHROME1', 16), { samples, photometric: 'MONOCHROME1' }, window(150.5, 101)))).toEqual([255, 255, 127, 0]);
    expect(grey(displayRgb(mono('MONOCHROME2', 16), { samples, photometric: 'MONOCHROME2' }, NO_DISPLAY_SETTINGS))).toEqual([0, 85, 128, 255]);
  });

  it('ignores the bits above Bits Stored and sign-extends signed samples', () => {
    // 12 bits stored: 0xF000 is overlay or garbage; 0x0FFF is -1 when signed.
    const samples = words(0xf000 | 0x0800, 0x0fff, 0x0000, 0x07ff);
    expect(grey(displayRgb(mono('MONOCHROME2', 12), { samples, photometric: 'MONOCHROME2' }, window(2048, 4096)))).toEqual([128, 255, 0, 127]);
    expect(grey(displayRgb(mono('MONOCHROME2', 12, true), { samples, photometric: 'MONOCHROME2' }, window(0, 4096)))).toEqual([0, 127, 128, 255]);
  });

  it('converts YBR_FULL, YBR_RCT and PALETTE COLOR', () => {
    const colour = (photometric: string): ImagePixels => ({ ...mono(photometric, 8), bitsAllocated: 8, samplesPerPixel: 3, columns: 2 });
    // Grey, and pure red: Y 76, Cb 85, Cr 255 (PS3.3 C.7.6.3.1.2).
    expect(Array.from(displayRgb(colour('YBR_FULL'), { samples: new Uint8Array([128, 128, 128, 76, 85, 255]), photometric: 'YBR_FULL' }, NO_DISPLAY_SETTINGS))).toEqual([128, 128, 128, 254, 0, 0]);
    // RCT of R 200, G 100, B 50: Y = floor((200 + 200 + 50) / 4) = 112, Cb = B - G + 128 = 78, Cr = R - G + 128 = 228.
    expect(Array.from(displayRgb(colour('YBR_RCT'), { samples: new Uint8Array([112, 78, 228, 0, 128, 128]), photometric: 'YBR_RCT' }, NO_DISPLAY_SETTINGS))).toEqual([200, 100, 50, 0, 0, 0]);
    const lut = { firstMapped: 10, red: new Uint8Array([1, 2, 3]), green: new Uint8Array([4, 5, 6]), blue: new Uint8Array([7, 8, 9]) };
    const paletted = { ...mono('PALETTE COLOR', 8), bitsAllocated: 8 as const };
    expect(Array.from(displayRgb(paletted, { samples: new Uint8Array([9, 10, 11, 40]), photometric: 'PALETTE COLOR' }, { ...NO_DISPLAY_SETTINGS, palette: lut }))).toEqual([1, 4, 7, 1, 4, 7, 2, 5, 8, 3, 6, 9]);
  });

  it('refuses a colour space it does not know, without naming the value', () => {
    expect(() => displayRgb(mono('HSV', 16), { samples: words(0, 0, 0, 0), photometric: 'HSV' }, NO_DISPLAY_SETTINGS)).toThrow(/^Unsupported DICOM: the photometric interpretation does not fit/);
    expect(() => displayRgb({ ...mono('XYZ', 8), bitsAllocated: 8, samplesPerPixel: 3 }, { samples: new Uint8Array(12), photometric: 'XYZ' }, NO_DISPLAY_SETTINGS)).toThrow('Unsupported DICOM: pixels in this photometric interpretation cannot be displayed (at (0028,0004))');
  });
});

/** The cells of terminal lines in 24-bit colour: [foreground, background] of each '▀', background undefined for the terminal's own. */
function cellsOf(lines: readonly string[]): (readonly [string, string | undefined])[][] {
  return lines.map((line) => {
    const cells: (readonly [string, string | undefined])[] = [];
    let current: readonly [string, string | undefined] = ['', undefined];
    for (const [, sgr, block] of line.matchAll(/\x1b\[([0-9;]*)m|(▀)/g)) {
      if (block !== undefined) cells.push(current);
      else if (sgr !== '0') {
        const match = /^38;2;(\d+;\d+;\d+);(?:48;2;(\d+;\d+;\d+)|49)$/.exec(sgr ?? '');
        if (!match) throw new Error(`unexpected SGR ${sgr}`);
        current = [match[1] ?? '', match[2]];
      }
    }
    return cells;
  });
}

describe('the terminal picture', () => {
  // 2 × 4 pixels, rows: red green / blue white / black yellow / grey cyan.
  const tiny = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 128, 128, 128, 0, 255, 255]);
  const draw = (colours: '16' | '256' | 'truecolor') => terminalPicture(tiny, 2, 4, { columns: 80, rows: 24, colours });

  it('puts the upper pixel in the foreground and the lower one in the background of each half block, in 24-bit colour', () => {
    expect(draw('truecolor')).toEqual([
      '\x1b[38;2;255;0;0;48;2;0;0;255m▀\x1b[38;2;0;255;0;48;2;255;255;255m▀\x1b[0m',
      '\x1b[38;2;0;0;0;48;2;128;128;128m▀\x1b[38;2;255;255;0;48;2;0;255;255m▀\x1b[0m',
    ]);
  });

  it('takes the nearest of the 256-colour cube and grey ramp', () => {
    expect(draw('256')).toEqual(['\x1b[38;5;196;48;5;21m▀\x1b[38;5;46;48;5;231m▀\x1b[0m', '\x1b[38;5;16;48;5;244m▀\x1b[38;5;226;48;5;51m▀\x1b[0m']);
  });

  it('takes the nearest of the 16 standard colours', () => {
    expect(draw('16')).toEqual(['\x1b[91;44m▀\x1b[92;107m▀\x1b[0m', '\x1b[30;100m▀\x1b[93;106m▀\x1b[0m']);
  });

  it('repeats no colour code between equal cells, and leaves the terminal background under an odd last row', () => {
    const flat = new Uint8Array(3 * 3).fill(9);
    expect(terminalPicture(flat, 3, 1, { columns: 80, rows: 24, colours: 'truecolor' })).toEqual(['\x1b[38;2;9;9;9;49m▀▀▀\x1b[0m']);
  });

  it('shrinks to fit by area averaging, keeping the aspect, and never enlarges', () => {
    // 4 × 4 greys 0…15 into 2 columns: each cell the mean of a 2 × 2 block.
    const ramp = new Uint8Array(48).map((_, index) => Math.floor(index / 3) * 16);
    expect(cellsOf(terminalPicture(ramp, 4, 4, { columns: 2, rows: 24, colours: 'truecolor' }))).toEqual([
      [['40;40;40', '168;168;168'], ['72;72;72', '200;200;200']],
    ]);
    const wide = terminalPicture(new Uint8Array(400 * 100 * 3), 400, 100, { columns: 80, rows: 24, colours: 'truecolor' });
    expect([wide.length, cellsOf(wide)[0]?.length]).toEqual([10, 80]);
    const tall = terminalPicture(new Uint8Array(100 * 400 * 3), 100, 400, { columns: 80, rows: 24, colours: 'truecolor' });
    expect([tall.length, cellsOf(tall)[0]?.length]).toEqual([24, 12]);
  });

  it('outlines the boxes, their edges scaled with the picture', () => {
    // 40 × 40 pixels into 20 columns (half size): a box of x 11–30, y 9–19 has its border at x 5–15, y 4–9 (widened, never narrowed).
    const boxes: OutlineBox[] = [{ x: 11, y: 9, width: 20, height: 11, kind: 'blank' }, { x: 0, y: 30, width: 100, height: 100, kind: 'keep' }];
    const cells = cellsOf(terminalPicture(new Uint8Array(40 * 40 * 3), 40, 40, { columns: 20, rows: 10, colours: 'truecolor', outline: boxes }));
    const colourAt = (x: number, y: number): string | undefined => {
      const cell = cells[Math.floor(y / 2)]?.[x];
      return y % 2 === 0 ? cell?.[0] : cell?.[1];
    };
    const painted = (colour: string): string[] => {
      const found: string[] = [];
      for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) if (colourAt(x, y) === colour) found.push(`${x},${y}`);
      return found;
    };
    const border = (left: number, top: number, right: number, bottom: number): string[] => {
      const found: string[] = [];
      for (let y = top; y <= bottom; y++) for (let x = left; x <= right; x++) if (x === left || x === right || y === top || y === bottom) found.push(`${x},${y}`);
      return found;
    };
    expect(painted('255;255;0')).toEqual(border(5, 4, 15, 9));
    // Past the picture's edge, a box is clipped to it.
    expect(painted('0;255;255')).toEqual(border(0, 15, 19, 19));
  });

  it('tells the colours a terminal shows from COLORTERM and TERM', () => {
    expect(colourSupport({ COLORTERM: 'truecolor', TERM: 'xterm-256color' })).toBe('truecolor');
    expect(colourSupport({ COLORTERM: '24bit' })).toBe('truecolor');
    expect(colourSupport({ TERM: 'xterm-direct' })).toBe('truecolor');
    expect(colourSupport({ TERM: 'screen-256color' })).toBe('256');
    expect(colourSupport({ TERM: 'xterm' })).toBe('16');
    expect(colourSupport({})).toBe('16');
  });
});

describe('the PNG picture', () => {
  it('holds every pixel at full resolution, the outline drawn one pixel wide', () => {
    const { rgb, image } = ours(corpus('fodicom_CR-MONO1-10-chest.dcm'), 1);
    const box: OutlineBox = { x: 100, y: 50, width: 40, height: 30, kind: 'blank' };
    const png = PNG.sync.read(pngOf(rgb, image.columns, image.rows, [box]));
    expect([png.width, png.height]).toEqual([440, 440]);
    for (let y = 0; y < 440; y++) {
      for (let x = 0; x < 440; x++) {
        const onBorder = x >= 100 && x <= 139 && y >= 50 && y <= 79 && (x === 100 || x === 139 || y === 50 || y === 79);
        const at = y * 440 + x;
        const expected = onBorder ? [255, 255, 0, 255] : [rgb[at * 3], rgb[at * 3 + 1], rgb[at * 3 + 2], 255];
        if (Array.from(png.data.subarray(at * 4, at * 4 + 4)).join() !== expected.join()) expect.fail(`pixel ${x},${y}`);
      }
    }
  });
});

/** How the fill value of the file's image shows through its window. */
function fillShade(file: DicomFile): number {
  const image = imagePixelsOf(file);
  const one = { ...image, rows: 1, columns: 1, frames: 1 };
  const samples = new Uint8Array(new Uint16Array(fillSamples(image)).buffer);
  return displayRgb(one, { samples, photometric: image.photometric }, displaySettingsOf(file, image))[0] ?? -1;
}

describe('the regions a preview outlines and fills', () => {
  const list = (regions: RegionList['entries'][number]['regions']): RegionList => ({
    name: 'test list',
    entries: [{ where: 'line 1', label: 'chest CR', match: { tag: 0x00080060, test: 'equals', value: 'CR' }, regions }],
  });

  it("takes the first matching entry's boxes, a negative x or y counted from the right or bottom", () => {
    const file = readDicomFile(corpus('fodicom_CR-MONO1-10-chest.dcm'));
    const regions = regionsFromLists([list([[0, 0, 440, 20], [-100, -30, 90, 20]]), SHIPPED_REGION_LIST])(file, imagePixelsOf(file));
    expect(regions).toEqual({
      name: 'chest CR',
      boxes: [{ x: 0, y: 0, width: 440, height: 20, kind: 'blank' }, { x: 340, y: 410, width: 90, height: 20, kind: 'blank' }],
    });
    expect(regionsFromLists([SHIPPED_REGION_LIST])(file, imagePixelsOf(file))).toEqual({ name: undefined, boxes: [] });
  });

  it('reads the ultrasound regions as kept boxes, as DCMTK reads their corners', () => {
    const name = corpus('dicomparser_IM00001.implicit_little_endian.dcm');
    const dump = execFileSync('dcmdump', ['-q', '+P', '0018,6018', '+P', '0018,601a', '+P', '0018,601c', '+P', '0018,601e', name], { encoding: 'utf8' });
    // +P prints every item's value of one tag, then of the next.
    const values = (element: string): number[] => [...dump.matchAll(new RegExp(`^\\(0018,${element}\\) UL (\\d+)`, 'gm'))].map((match) => Number(match[1]));
    const [minX, minY, maxX, maxY] = ['6018', '601a', '601c', '601e'].map(values) as [number[], number[], number[], number[]];
    const corners = minX.map((x, item) => ({ minX: x, minY: minY[item], maxX: maxX[item], maxY: maxY[item] }));
    const file = readDicomFile(name);
    expect(corners.length).toBe(2);
    expect(ultrasoundRegions(file)).toEqual(corners);
    const boxes = regionsFromLists([SHIPPED_REGION_LIST])(file, imagePixelsOf(file)).boxes;
    expect(boxes.every((box) => box.kind === 'keep')).toBe(true);
  });

  it('fills, with --after, exactly the spans of the boxes with the fill value of the frame', () => {
    const file = readDicomFile(corpus('fodicom_CR-MONO1-10-chest.dcm'));
    const image = imagePixelsOf(file);
    const regionsToBlank = regionsFromLists([list([[0, 0, 440, 20], [-100, -30, 90, 20]])]);
    const request = { frame: 0, frameSource: nativeFrame, regionsToBlank };
    const before = previewPicture(file, image, { ...request, after: false });
    const after = previewPicture(file, image, { ...request, after: true });
    const inside = new Set(spansOfBoxes(after.outline, 440, 440).flatMap((span) => Array.from({ length: span.to - span.from }, (_, offset) => span.row * 440 + span.from + offset)));
    expect(inside.size).toBe(440 * 20 + 90 * 20);
    // MONOCHROME1 is filled with its highest value, near black through the file's window.
    const dark = fillShade(file);
    expect(dark).toBeLessThan(16);
    for (let pixel = 0; pixel < 440 * 440; pixel++) {
      const expected = inside.has(pixel) ? dark : before.rgb[pixel * 3];
      if (after.rgb[pixel * 3] !== expected) expect.fail(`pixel ${pixel}`);
    }
    const frame = nativeFrame(file, image, 0);
    expect(largestDifference(blankedFrame(frame, image, []).samples, frame.samples)).toBe(0);
  });
});

describe('dicom-tools preview (the built program)', () => {
  const strip = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

  it('draws the frame, then one caption line, and writes the PNG', () => {
    const file = corpus('dicomparser_IM00001.implicit_little_endian.dcm');
    const out = path.join(root, 'us.png');
    const result = runCli(['preview', file, '--frame', '3', '--png', out], { env: { COLORTERM: 'truecolor', TERM: 'xterm-256color' } });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.pop()).toBe('dicomparser_IM00001.implicit_little_endian.dcm  frame 3/8  320×240  RGB  region: ultrasound regions');
    // 320 × 240 in 80 × 22 cells (24 lines less caption and prompt): 59 columns, 22 lines of two pixel rows.
    expect(lines.map((line) => strip(line))).toEqual(Array.from({ length: 22 }, () => '▀'.repeat(59)));
    expect(lines[0]).toMatch(/^\x1b\[38;2;\d+;\d+;\d+;48;2;\d+;\d+;\d+m▀/);
    const dicom = readDicomFile(file);
    const image = imagePixelsOf(dicom);
    const picture = previewPicture(dicom, image, { frame: 2, after: false, frameSource: nativeFrame, regionsToBlank: regionsFromLists([SHIPPED_REGION_LIST]) });
    const png = PNG.sync.read(readFileSync(out));
    expect(Buffer.from(png.data).equals(PNG.sync.read(pngOf(picture.rgb, 320, 240, picture.outline)).data)).toBe(true);
  });

  it('names the matching region entry in the caption and, with --after, shows the region filled', () => {
    // Entry 2 of the shipped list blanks 512 × 110 at the top of a "Dose Report".
    const file = path.join(root, 'dose-report.dcm');
    copyFileSync(corpus('fodicom_CR-MONO1-10-chest.dcm'), file);
    execFileSync('dcmodify', ['-nb', '-i', '(0008,103E)=Dose Report', file]);
    const out = path.join(root, 'dose-report.png');
    const result = runCli(['preview', file, '--after', '--png', out], { env: { COLORTERM: '', TERM: 'xterm' } });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').at(-2)).toBe("dose-report.dcm  frame 1/1  440×440  MONOCHROME1  region: entry 2 (line 25 of CTP's script)  (after cleaning)");
    expect(result.stdout).not.toContain('Dose Report');
    const png = PNG.sync.read(readFileSync(out));
    const pixel = (x: number, y: number): string => Array.from(png.data.subarray((y * 440 + x) * 4, (y * 440 + x) * 4 + 3)).join();
    expect([pixel(0, 0), pixel(200, 109), pixel(0, 50)]).toEqual(['255,255,0', '255,255,0', '255,255,0']);
    const dark = fillShade(readDicomFile(file));
    expect([pixel(1, 1), pixel(200, 60), pixel(438, 108)]).toEqual(Array.from({ length: 3 }, () => `${dark},${dark},${dark}`));
    expect(pixel(200, 110)).not.toBe(`${dark},${dark},${dark}`);
  });

  it('has help, is listed by the program, and names an unknown option', () => {
    expect(runCli(['preview', '--help'])).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: dicom-tools preview FILE [--frame N] [--after] [--png OUT]') });
    expect(runCli(['--help']).stdout).toMatch(/^ {2}preview {2,}draw a frame/m);
    expect(runCli(['preview', 'x.dcm', '--fram', '2'])).toEqual({ status: 2, stdout: '', stderr: "dicom-tools preview: unknown option --fram (did you mean --frame?)\nSee 'dicom-tools preview --help'.\n" });
  });

  it('draws encapsulated pixel data through its codec; refuses a frame past the last and a file that is not DICOM', () => {
    const jpeg = corpus('dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm');
    const drawn = runCli(['preview', jpeg, '--frame', '2']);
    expect(drawn.status).toBe(0);
    expect(drawn.stdout.split('\n').at(-2)).toBe('dicomparser_IM00001.fragmented_no_bot_jpeg_baseline.50.dcm  frame 2/8  320×240  YBR_FULL  region: ultrasound regions');
    const us = corpus('dicomparser_IM00001.implicit_little_endian.dcm');
    expect(runCli(['preview', us, '--frame', '9']).stderr).toBe(`dicom-tools preview: ${us}: --frame 9 is past the image's last frame (8)\nSee 'dicom-tools preview --help'.\n`);
    expect(runCli(['preview', us, '--frame', 'two']).status).toBe(2);
    const notDicom = path.join(root, 'notes.txt');
    writeFileSync(notDicom, 'Patient: Jane Roe, born 1970-01-01\n');
    const result = runCli(['preview', notDicom]);
    expect(result.status).toBe(1);
    expect(result.stderr.startsWith(`dicom-tools preview: ${notDicom}: File not recognized as DICOM`)).toBe(true);
    expect(result.stderr).not.toContain('Jane');
  });
});
