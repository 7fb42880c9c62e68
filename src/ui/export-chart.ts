// A chart out of the page, as a file that stands on its own:
//
//   SVG  the chart's own <svg> (recharts draws it), cloned with the computed style of
//        every element written onto it (fill, stroke, dashes, fonts), so it looks the same
//        without the page's CSS; a title and the legend (HTML in the page) drawn above it
//        on a white background
//   PNG  that SVG drawn by an <img> onto a canvas at `scale` × its size (default 2×)
//
// wrapSvg (the standalone document around the chart) and the file names are pure;
// serializeChart and svgToPng need a DOM.

/** one legend entry as drawn above the exported chart */
export interface LegendEntry {
  name: string;
  color: string;
  /** an SVG dash pattern, e.g. '5 4' */
  dash?: string;
  faint?: boolean;
}

/** the presentation properties copied from the computed style onto each exported element */
const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'stroke-linecap',
  'stroke-linejoin',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
] as const;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const TITLE_H = 26;
const LEGEND_ROW_H = 18;

/** text for XML content and attribute values */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** a file name from a title: lower case, words joined by '-', e.g. "Accuracy per epoch" → "accuracy-per-epoch" */
export function fileStem(title: string): string {
  return (
    title
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'chart'
  );
}

/** legend rows: entries placed left to right, wrapping at `width` (about 6.5 px a character at 12 px) */
function legendLayout(entries: readonly LegendEntry[], width: number): { e: LegendEntry; x: number; row: number }[] {
  const out: { e: LegendEntry; x: number; row: number }[] = [];
  let x = 8;
  let row = 0;
  for (const e of entries) {
    const w = 30 + 6.5 * e.name.length + 14;
    if (x > 8 && x + w > width) {
      row++;
      x = 8;
    }
    out.push({ e, x, row });
    x += w;
  }
  return out;
}

/**
 * The standalone SVG document: a white background, the title, the legend, and the
 * chart's serialized <svg> (`inner`, width × height) below them.
 */
export function wrapSvg(o: { inner: string; width: number; height: number; title: string; legend: readonly LegendEntry[] }): string {
  const w = Math.max(1, Math.round(o.width));
  const placed = legendLayout(o.legend, w);
  const rows = placed.length ? placed[placed.length - 1]!.row + 1 : 0;
  const top = TITLE_H + rows * LEGEND_ROW_H + 4;
  const h = Math.round(top + o.height);
  const legend = placed
    .map(({ e, x, row }) => {
      const y = TITLE_H + row * LEGEND_ROW_H + 9;
      const dash = e.dash ? ` stroke-dasharray="${escapeXml(e.dash)}"` : '';
      return (
        `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${escapeXml(e.color)}" stroke-width="${e.faint ? 1.5 : 2}" stroke-opacity="${e.faint ? 0.6 : 1}"${dash}/>` +
        `<text x="${x + 28}" y="${y + 4}" font-size="12" fill="#374151">${escapeXml(e.name)}</text>`
      );
    })
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family='${FONT}'>` +
    `<title>${escapeXml(o.title)}</title>` +
    `<rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>` +
    `<text x="8" y="18" font-size="14" font-weight="600" fill="#111827">${escapeXml(o.title)}</text>` +
    legend +
    `<g transform="translate(0, ${top})">${o.inner}</g>` +
    `</svg>\n`
  );
}

/** the chart's <svg> cloned with every element's computed presentation style as attributes */
function inlinedClone(svg: SVGSVGElement): SVGSVGElement {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const out = dst[i]!;
    const cs = getComputedStyle(el);
    const style = STYLE_PROPS.map((p) => [p, cs.getPropertyValue(p)] as const)
      .filter(([, v]) => v !== '')
      .map(([p, v]) => `${p}:${v}`)
      .join(';');
    if (style) out.setAttribute('style', style);
    out.removeAttribute('class');
  });
  // recharts' hover layers (the tooltip cursor, the active dot) are not part of the figure
  clone.querySelectorAll('.recharts-tooltip-cursor, .recharts-active-dot').forEach((el) => el.remove());
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute('width', String(Math.round(width)));
  clone.setAttribute('height', String(Math.round(height)));
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return clone;
}

/** the chart drawn in `svg` as a standalone SVG document with its title and legend */
export function serializeChart(svg: SVGSVGElement, title: string, legend: readonly LegendEntry[]): { text: string; width: number; height: number } {
  const clone = inlinedClone(svg);
  const { width, height } = svg.getBoundingClientRect();
  const inner = new XMLSerializer().serializeToString(clone);
  const text = wrapSvg({ inner, width, height, title, legend });
  const m = /<svg[^>]*\swidth="(\d+)" height="(\d+)"/.exec(text)!;
  return { text, width: Number(m[1]), height: Number(m[2]) };
}

/** an SVG document rasterized at `scale` × its size: a PNG */
export async function svgToPng(svgText: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    const loaded = new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the chart could not be drawn as an image'));
    });
    img.src = url;
    await loaded;
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2-D canvas to draw the chart on');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas gave no PNG'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** saves a blob as a file (the browser's download) */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the download has taken the blob by the next turn
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(text: string, filename: string, type: string): void {
  downloadBlob(new Blob([text], { type }), filename);
}
