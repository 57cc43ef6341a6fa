/**
 * A drawing against its committed baseline (preview/baselines/<file>), pixel by pixel (pixelmatch 5,
 * CommonJS, so ts-jest can require it; pixelmatch 6+ is ESM only).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export const BASELINES = path.join(__dirname, 'baselines');
/** Where a failing comparison leaves its diff image (red: differing pixels). */
export const DIFFS = path.join(os.tmpdir(), 'miniprogram-mqtt-preview-diff');

/**
 * pixelmatch's per-pixel threshold: the YIQ colour distance (0–1) under which two pixels count as
 * the same. 0.1 is pixelmatch's default: it lets through the faint shifts a different Chromium or
 * FreeType build makes in text anti-aliasing (pixelmatch also skips pixels it detects as
 * anti-aliasing), and every real colour change is far above it: the primary green #06844a drawn as
 * #07c160 instead changes 3.5% of panel-connected.png's pixels.
 */
export const PIXEL_THRESHOLD = 0.1;
/**
 * At most this share of a drawing's pixels may differ: 0.1%, about 1,500 device pixels of a
 * 750 × 2,048 drawing. On one machine two runs are byte for byte the same (fixed clock, seeded ids,
 * pinned fonts; also with both cores busy), so the margin only absorbs what another Chromium or font
 * build moves. Measured on panel-connected.png: the header 1 px lower (everything below moves) is
 * 0.16% and fails, as does any colour, border or spacing change; one changed character is 0.003–0.013%
 * and passes — text content is what the components' snapshot tests check, not this one.
 */
export const MAX_DIFF_SHARE = 0.001;

export type Comparison = { ok: true; share: number } | { ok: false; message: string };

export function compareWithBaseline(drawing: string, baseline: string): Comparison {
  const name = path.basename(drawing);
  if (!fs.existsSync(baseline)) {
    return { ok: false, message: `No baseline for ${name} (${path.relative(process.cwd(), baseline)}). Run \`npm run preview -- --update\` to write the baselines from this run's drawings, look at them, and commit them.` };
  }
  const [drawnBytes, baselineBytes] = [fs.readFileSync(drawing), fs.readFileSync(baseline)];
  // The usual case, and decoding two PNGs takes ~0.5 s: byte for byte the same file.
  if (drawnBytes.equals(baselineBytes)) return { ok: true, share: 0 };
  const actual = PNG.sync.read(drawnBytes);
  const expected = PNG.sync.read(baselineBytes);
  if (actual.width !== expected.width || actual.height !== expected.height) {
    return {
      ok: false,
      message: `${name} is ${actual.width} × ${actual.height} px, its baseline ${expected.width} × ${expected.height} px. If the change is intended, run \`npm run preview -- --update\` and commit preview/baselines/.`,
    };
  }
  const { width, height } = actual;
  const diff = new PNG({ width, height });
  const differing = pixelmatch(actual.data, expected.data, diff.data, width, height, { threshold: PIXEL_THRESHOLD });
  const share = differing / (width * height);
  if (share <= MAX_DIFF_SHARE) return { ok: true, share };
  fs.mkdirSync(DIFFS, { recursive: true });
  const diffFile = path.join(DIFFS, name);
  fs.writeFileSync(diffFile, PNG.sync.write(diff));
  return {
    ok: false,
    message: `${name}: ${differing} of ${width * height} pixels differ from the baseline (${(share * 100).toFixed(3)}% > ${MAX_DIFF_SHARE * 100}%). Diff: ${diffFile}. If the change is intended, run \`npm run preview -- --update\` and commit preview/baselines/.`,
  };
}
