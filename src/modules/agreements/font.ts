import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create as createFont, type Font } from 'fontkit';

/**
 * The agreements' CJK font, and the caches that make a render cheap: a process parses the font
 * once, shapes a run of text once and reads a glyph's outline once, whatever number of documents
 * it renders. Each cache gives exactly what fontkit computes without it, so the bytes do not change.
 */

/** A parsed font, as fontkit gives it; pdfkit takes one in place of a file (it subsets per document). */
export type AgreementFont = Font;

let parsed: AgreementFont | undefined;

/**
 * Noto Sans SC (SIL OFL), installed from the npm registry: no system font, nothing fetched at run
 * time. Parsed once per process (every app a process builds shares it): each document then only
 * subsets it, and fontkit's glyph, layout and subset caches are shared (parsing the 10 MB font per
 * document was most of the time of a render).
 */
export function loadAgreementFont(): AgreementFont {
  if (parsed) return parsed;
  const require = createRequire(import.meta.url);
  const dir = require.resolve('@expo-google-fonts/noto-sans-sc/package.json').replace(/package\.json$/, '');
  // A single-font TTF, never a collection.
  parsed = withSharedGlyphRecords(withSharedLayoutCache(createFont(readFileSync(`${dir}400Regular/NotoSansSC_400Regular.ttf`)) as Font));
  return parsed;
}

type Run = { glyphs: unknown[]; positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }[] };

/** A laid-out run as pdfkit reads it; its positions are the caller's own (pdfkit scales them in place). */
class CopiedRun {
  readonly glyphs: unknown[];
  readonly positions: Run['positions'];
  constructor(glyphs: unknown[], positions: Run['positions']) {
    this.glyphs = glyphs;
    this.positions = positions;
  }
  get advanceWidth() {
    let width = 0;
    for (const p of this.positions) width += p.xAdvance;
    return width;
  }
}

const LAYOUT_CACHE_ENTRIES = 50_000;

/**
 * Shaping (OpenType layout) was a third of a render, repeated for the same clause text in every
 * document: pdfkit caches runs per document only. The font keeps them across documents; each caller
 * gets fresh position objects, so the output is exactly what an uncached layout gives.
 */
function withSharedLayoutCache(font: AgreementFont): AgreementFont {
  const layout = font.layout.bind(font) as (text: string, ...rest: unknown[]) => Run;
  const runs = new Map<string, Run>();
  (font as { layout: unknown }).layout = (text: string, ...rest: unknown[]) => {
    if (rest.some((r) => r !== undefined)) return layout(text, ...rest);
    let run = runs.get(text);
    if (!run) {
      if (runs.size >= LAYOUT_CACHE_ENTRIES) runs.clear();
      run = layout(text);
      runs.set(text, { glyphs: run.glyphs, positions: run.positions.map((p) => ({ xAdvance: p.xAdvance, yAdvance: p.yAdvance, xOffset: p.xOffset, yOffset: p.yOffset })) });
      run = runs.get(text)!;
    }
    return new CopiedRun(run.glyphs, run.positions.map((p) => ({ ...p })));
  };
  return font;
}

/** A glyph as a TrueType subset copies it: its outline bytes, the glyphs it is built from, its metrics. */
interface GlyphRecord {
  bytes: Uint8Array;
  /** A composite glyph's components, and where in `bytes` each names its glyph id (the subset renumbers them). */
  components: { glyphID: number; pos: number }[];
  advance: number;
  bearing: number;
}

/** The private part of fontkit 2's TrueType subset that `_addGlyph` fills (see its TTFSubset). */
interface TrueTypeSubset {
  includeGlyph(gid: number): number;
  _addGlyph(gid: number): number;
  glyf: Uint8Array[];
  offset: number;
  loca: { offsets: number[] };
  hmtx: { metrics: { advance: number; bearing: number }[] };
}

type TrueTypeFont = AgreementFont & {
  loca: { offsets: number[] };
  directory: { tables: Record<string, unknown> };
  _getTableStream(tag: string): { pos: number; readBuffer(length: number): Uint8Array };
};
type TrueTypeGlyph = { advanceWidth: number; _decode(): { numberOfContours: number; components?: { glyphID: number; pos: number }[] } | null; _getMetrics(): { leftBearing: number } };

/**
 * The subset each document embeds decoded every glyph it took in full (all its points), only to
 * learn whether it is a composite: a fifth of a render. The font keeps what the subset copies of
 * each glyph, so a document copies bytes. This replaces fontkit 2.0's `TTFSubset._addGlyph` with the
 * same steps over the kept record; a font that is not plain TrueType (CFF, variable) keeps fontkit's.
 */
function withSharedGlyphRecords(font: AgreementFont): AgreementFont {
  const ttf = font as TrueTypeFont;
  const tables = ttf.directory.tables;
  if (!tables.glyf || tables['CFF '] || tables.fvar) return font;
  const records = new Map<number, GlyphRecord>();
  const recordOf = (gid: number): GlyphRecord => {
    let record = records.get(gid);
    if (!record) {
      const glyph = font.getGlyph(gid) as unknown as TrueTypeGlyph;
      const outline = glyph._decode();
      const stream = ttf._getTableStream('glyf');
      stream.pos += ttf.loca.offsets[gid]!;
      record = {
        bytes: stream.readBuffer(ttf.loca.offsets[gid + 1]! - ttf.loca.offsets[gid]!),
        components: outline && outline.numberOfContours < 0 ? (outline.components ?? []).map((c) => ({ glyphID: c.glyphID, pos: c.pos })) : [],
        advance: glyph.advanceWidth,
        bearing: glyph._getMetrics().leftBearing,
      };
      records.set(gid, record);
    }
    return record;
  };
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = createSubset() as unknown as TrueTypeSubset;
    subset._addGlyph = (gid) => {
      const record = recordOf(gid);
      let bytes = record.bytes;
      if (record.components.length) {
        bytes = new Uint8Array(record.bytes);
        const view = new DataView(bytes.buffer);
        for (const c of record.components) view.setUint16(c.pos, subset.includeGlyph(c.glyphID));
      }
      subset.glyf.push(bytes);
      subset.loca.offsets.push(subset.offset);
      subset.hmtx.metrics.push({ advance: record.advance, bearing: record.bearing });
      subset.offset += bytes.length;
      return subset.glyf.length - 1;
    };
    return subset as unknown as ReturnType<typeof createSubset>;
  };
  return font;
}
