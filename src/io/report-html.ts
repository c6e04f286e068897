/**
 * The campaign report as one self-contained HTML page: inline CSS and SVG, no script, no
 * network. Pure: data in, text out (src/cli/commands/report.ts gathers the data).
 *
 * Figures (each a <figure data-figure="…">): outcomes (stacked bars per target), sdc (rate
 * with its Wilson interval per target), latency (detection-latency histogram), traces
 * (attitude error of the worst flights, replayed), scrub (scrubber statistics).
 */
import { OUTCOMES, formatRate, type CampaignStats, type Outcome, type TargetStats } from '../core/campaign/stats.js';

export const REPORT_FIGURES = ['outcomes', 'sdc', 'latency', 'traces', 'scrub'] as const;

export interface ReportTrace {
  readonly label: string;
  readonly injectAtS: number;
  readonly timeS: readonly number[];
  readonly attitudeErrorDeg: readonly number[];
}

export interface ScrubByTarget {
  readonly target: string;
  readonly rows: number;
  readonly corrected: number;
  readonly uncorrectable: number;
  readonly scrubbedWords: number;
}

export interface ReportData {
  readonly title: string;
  readonly source: string;
  readonly facts: readonly (readonly [string, string])[];
  readonly stats: CampaignStats;
  readonly latenciesMs: readonly number[];
  readonly traces: readonly ReportTrace[];
  readonly scrub: readonly ScrubByTarget[];
}

export const OUTCOME_COLOURS: Readonly<Record<Outcome, string>> = {
  masked: '#a7b1bc', recovered: '#2e7d32', degraded: '#1f6fb2', 'detected-unsafe': '#e0a800', sdc: '#c62828', hang: '#6a3d9a',
};
/** Colour of ECC corrections in the scrub figure. */
const CORRECTED_COLOUR = '#2e7d32';
const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  masked: 'masked', recovered: 'recovered', degraded: 'degraded (channel lost)', 'detected-unsafe': 'detected, unsafe', sdc: 'silent data corruption', hang: 'hang',
};
const TRACE_COLOURS = ['#c62828', '#1f6fb2', '#2e7d32', '#e0a800', '#6a3d9a', '#00838f'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? String(Math.round(value * 10 ** digits) / 10 ** digits) : '–';
}

/** "Nice" tick values covering [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let i = 0; i * step <= max * 1.0000001 + step && ticks.length <= count + 2; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function legend(x: number, y: number): string {
  return OUTCOMES.map((o, i) => {
    const lx = x + (i % 3) * 190;
    const ly = y + Math.floor(i / 3) * 20;
    return `<rect x="${lx}" y="${ly}" width="12" height="12" rx="2" fill="${OUTCOME_COLOURS[o]}"/><text x="${lx + 18}" y="${ly + 10}" font-size="12">${OUTCOME_LABELS[o]}</text>`;
  }).join('');
}

/** Stacked 100 % bars: one per target (and all), segments by outcome. */
export function outcomeBars(stats: CampaignStats): string {
  const rows: readonly TargetStats[] = [...stats.byTarget, stats.total];
  const left = 90;
  const width = 560;
  const rowH = 28;
  const top = 20;
  const height = top + rows.length * rowH + 70;
  const bars = rows.map((t, i) => {
    const y = top + i * rowH;
    let x = left;
    const segments = t.outcomes.map((o) => {
      const w = t.injections === 0 ? 0 : (o.count / t.injections) * width;
      const rect = w <= 0 ? '' : `<rect x="${fmt(x)}" y="${y}" width="${fmt(w)}" height="${rowH - 8}" fill="${OUTCOME_COLOURS[o.outcome]}"><title>${t.target} ${OUTCOME_LABELS[o.outcome]}: ${o.count} (${formatRate(o)})</title></rect>`;
      const label = w >= 34 ? `<text x="${fmt(x + w / 2)}" y="${y + 14}" font-size="11" fill="#fff" text-anchor="middle">${fmt(o.rate * 100, 0)}%</text>` : '';
      x += w;
      return rect + label;
    }).join('');
    const bold = t.target === 'all' ? ' font-weight="600"' : '';
    return `<text x="${left - 8}" y="${y + 14}" font-size="12" text-anchor="end"${bold}>${t.target}</text>${segments}<text x="${left + width + 6}" y="${y + 14}" font-size="11" fill="#555">n=${t.injections}</text>`;
  }).join('');
  const axis = [0, 25, 50, 75, 100].map((p) => `<line x1="${left + (p / 100) * width}" x2="${left + (p / 100) * width}" y1="${top - 4}" y2="${top + rows.length * rowH - 6}" stroke="#ddd"/><text x="${left + (p / 100) * width}" y="${top + rows.length * rowH + 8}" font-size="10" fill="#666" text-anchor="middle">${p}%</text>`).join('');
  return svg(720, height, `${axis}${bars}${legend(left, top + rows.length * rowH + 24)}`);
}

/** SDC rate per target: a dot at the rate, a whisker over the Wilson interval. */
export function sdcChart(stats: CampaignStats): string {
  const rows: readonly TargetStats[] = [...stats.byTarget, stats.total];
  const left = 90;
  const width = 540;
  const rowH = 26;
  const top = 14;
  const sdcOf = (t: TargetStats): { rate: number; low: number; high: number; count: number } => {
    const o = t.outcomes.find((s) => s.outcome === 'sdc');
    return { rate: o?.rate ?? 0, low: o?.interval.low ?? 0, high: o?.interval.high ?? 0, count: o?.count ?? 0 };
  };
  const max = Math.max(0.001, ...rows.map((t) => sdcOf(t).high));
  const ticks = niceTicks(max * 100);
  const scaleMax = (ticks[ticks.length - 1] ?? 1) / 100;
  const sx = (v: number): number => left + (v / scaleMax) * width;
  const grid = ticks.map((t) => `<line x1="${fmt(sx(t / 100))}" x2="${fmt(sx(t / 100))}" y1="${top - 4}" y2="${top + rows.length * rowH}" stroke="#e3e3e3"/><text x="${fmt(sx(t / 100))}" y="${top + rows.length * rowH + 14}" font-size="10" fill="#666" text-anchor="middle">${fmt(t, 3)}%</text>`).join('');
  const marks = rows.map((t, i) => {
    const s = sdcOf(t);
    const y = top + i * rowH + 8;
    const label = s.count === 0 ? `0 (≤ ${fmt(s.high * 100, 3)}%)` : `${fmt(s.rate * 100, 3)}% [${fmt(s.low * 100, 3)}, ${fmt(s.high * 100, 3)}]`;
    return `<text x="${left - 8}" y="${y + 4}" font-size="12" text-anchor="end">${t.target}</text>`
      + `<line x1="${fmt(sx(s.low))}" x2="${fmt(sx(s.high))}" y1="${y}" y2="${y}" stroke="${OUTCOME_COLOURS.sdc}" stroke-width="2"/>`
      + `<line x1="${fmt(sx(s.high))}" x2="${fmt(sx(s.high))}" y1="${y - 5}" y2="${y + 5}" stroke="${OUTCOME_COLOURS.sdc}" stroke-width="2"/>`
      + (s.count === 0 ? '' : `<line x1="${fmt(sx(s.low))}" x2="${fmt(sx(s.low))}" y1="${y - 5}" y2="${y + 5}" stroke="${OUTCOME_COLOURS.sdc}" stroke-width="2"/>`)
      + `<circle cx="${fmt(sx(s.rate))}" cy="${y}" r="4" fill="${s.count === 0 ? '#fff' : OUTCOME_COLOURS.sdc}" stroke="${OUTCOME_COLOURS.sdc}" stroke-width="1.5"/>`
      + `<text x="${left + width + 8}" y="${y + 4}" font-size="11" fill="#444">${label}</text>`;
  }).join('');
  return svg(800, top + rows.length * rowH + 24, grid + marks);
}

/** Histogram bins: `binCount` equal bins over [0, max]. */
export function histogram(values: readonly number[], binCount: number): { readonly edges: readonly number[]; readonly counts: readonly number[] } {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const ticks = niceTicks(max > 0 ? max : 1, binCount);
  const step = (ticks[1] ?? 1) - (ticks[0] ?? 0);
  const bins = Math.max(1, Math.floor(max / step) + 1);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const i = Math.min(bins - 1, Math.floor(v / step));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return { edges: counts.map((_, i) => i * step).concat([bins * step]), counts };
}

export function latencyHistogram(latenciesMs: readonly number[]): string {
  const left = 56;
  const top = 14;
  const width = 620;
  const height = 200;
  if (latenciesMs.length === 0) return svg(720, 60, `<text x="20" y="34" font-size="13" fill="#666">No detected faults: no detection latencies to show.</text>`);
  const { edges, counts } = histogram(latenciesMs, 30);
  const maxCount = Math.max(1, ...counts);
  const yTicks = niceTicks(maxCount, 4);
  const yMax = yTicks[yTicks.length - 1] ?? maxCount;
  const xMax = edges[edges.length - 1] ?? 1;
  const barW = width / counts.length;
  const bars = counts.map((c, i) => {
    const h = (c / yMax) * height;
    return `<rect x="${fmt(left + i * barW + 1)}" y="${fmt(top + height - h)}" width="${fmt(Math.max(1, barW - 2))}" height="${fmt(h)}" fill="#1f6fb2"><title>${fmt(edges[i] ?? 0)}–${fmt(edges[i + 1] ?? 0)} ms: ${c}</title></rect>`;
  }).join('');
  const grid = yTicks.map((t) => `<line x1="${left}" x2="${left + width}" y1="${fmt(top + height - (t / yMax) * height)}" y2="${fmt(top + height - (t / yMax) * height)}" stroke="#e3e3e3"/><text x="${left - 6}" y="${fmt(top + height - (t / yMax) * height + 4)}" font-size="10" fill="#666" text-anchor="end">${t}</text>`).join('');
  const xTicks = niceTicks(xMax, 8).filter((t) => t <= xMax).map((t) => `<text x="${fmt(left + (t / xMax) * width)}" y="${top + height + 16}" font-size="10" fill="#666" text-anchor="middle">${fmt(t)}</text>`).join('');
  const labels = `<text x="${left + width / 2}" y="${top + height + 34}" font-size="12" text-anchor="middle">detection latency (ms)</text><text transform="translate(14 ${top + height / 2}) rotate(-90)" font-size="12" text-anchor="middle">injections</text>`;
  return svg(720, top + height + 44, grid + bars + `<line x1="${left}" x2="${left + width}" y1="${top + height}" y2="${top + height}" stroke="#888"/>` + xTicks + labels);
}

export function tracePlot(traces: readonly ReportTrace[]): string {
  const left = 56;
  const top = 14;
  const width = 620;
  const height = 220;
  if (traces.length === 0) return svg(720, 60, `<text x="20" y="34" font-size="13" fill="#666">No flights to show.</text>`);
  const xMax = Math.max(1e-9, ...traces.map((t) => t.timeS[t.timeS.length - 1] ?? 0));
  const yTicks = niceTicks(Math.max(1e-6, ...traces.flatMap((t) => t.attitudeErrorDeg)), 5);
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const sx = (v: number): number => left + (v / xMax) * width;
  const sy = (v: number): number => top + height - (Math.min(v, yMax) / yMax) * height;
  const grid = yTicks.map((t) => `<line x1="${left}" x2="${left + width}" y1="${fmt(sy(t))}" y2="${fmt(sy(t))}" stroke="#e3e3e3"/><text x="${left - 6}" y="${fmt(sy(t) + 4)}" font-size="10" fill="#666" text-anchor="end">${fmt(t, 3)}</text>`).join('')
    + niceTicks(xMax, 8).filter((t) => t <= xMax).map((t) => `<text x="${fmt(sx(t))}" y="${top + height + 16}" font-size="10" fill="#666" text-anchor="middle">${fmt(t)}</text>`).join('');
  const lines = traces.map((t, i) => {
    const colour = TRACE_COLOURS[i % TRACE_COLOURS.length] ?? '#333';
    const points = t.timeS.map((x, k) => `${fmt(sx(x))},${fmt(sy(t.attitudeErrorDeg[k] ?? 0))}`).join(' ');
    return `<line x1="${fmt(sx(t.injectAtS))}" x2="${fmt(sx(t.injectAtS))}" y1="${top}" y2="${top + height}" stroke="${colour}" stroke-dasharray="3 3" opacity="0.6"/><polyline points="${points}" fill="none" stroke="${colour}" stroke-width="1.4"><title>${escapeHtml(t.label)}</title></polyline>`;
  }).join('');
  const legendItems = traces.map((t, i) => `<rect x="${left}" y="${top + height + 30 + i * 18}" width="14" height="3" fill="${TRACE_COLOURS[i % TRACE_COLOURS.length] ?? '#333'}"/><text x="${left + 20}" y="${top + height + 35 + i * 18}" font-size="11">${escapeHtml(t.label)}</text>`).join('');
  const labels = `<text x="${left + width}" y="${top + height + 16 + 12}" font-size="11" text-anchor="end">time (s); dashed: injection</text><text transform="translate(14 ${top + height / 2}) rotate(-90)" font-size="12" text-anchor="middle">attitude error (deg)</text>`;
  return svg(720, top + height + 40 + traces.length * 18, grid + `<line x1="${left}" x2="${left + width}" y1="${top + height}" y2="${top + height}" stroke="#888"/>` + lines + labels + legendItems);
}

export function scrubChart(scrub: readonly ScrubByTarget[]): string {
  const left = 90;
  const top = 14;
  const width = 480;
  const rowH = 30;
  const max = Math.max(1, ...scrub.map((s) => s.corrected + s.uncorrectable));
  const ticks = niceTicks(max, 5);
  const xMax = ticks[ticks.length - 1] ?? max;
  const sx = (v: number): number => (v / xMax) * width;
  const grid = ticks.map((t) => `<line x1="${fmt(left + sx(t))}" x2="${fmt(left + sx(t))}" y1="${top - 4}" y2="${top + scrub.length * rowH}" stroke="#e3e3e3"/><text x="${fmt(left + sx(t))}" y="${top + scrub.length * rowH + 14}" font-size="10" fill="#666" text-anchor="middle">${t}</text>`).join('');
  const bars = scrub.map((s, i) => {
    const y = top + i * rowH;
    return `<text x="${left - 8}" y="${y + 15}" font-size="12" text-anchor="end">${escapeHtml(s.target)}</text>`
      + `<rect x="${left}" y="${y + 3}" width="${fmt(sx(s.corrected))}" height="16" fill="${CORRECTED_COLOUR}"><title>${s.corrected} corrected</title></rect>`
      + `<rect x="${fmt(left + sx(s.corrected))}" y="${y + 3}" width="${fmt(sx(s.uncorrectable))}" height="16" fill="${OUTCOME_COLOURS.sdc}"><title>${s.uncorrectable} uncorrectable</title></rect>`
      + `<text x="${fmt(left + sx(s.corrected + s.uncorrectable) + 6)}" y="${y + 15}" font-size="11" fill="#444">${s.corrected} corrected, ${s.uncorrectable} uncorrectable</text>`;
  }).join('');
  const key = `<rect x="${left}" y="${top + scrub.length * rowH + 24}" width="12" height="12" fill="${CORRECTED_COLOUR}"/><text x="${left + 18}" y="${top + scrub.length * rowH + 34}" font-size="12">corrected (single-bit)</text><rect x="${left + 190}" y="${top + scrub.length * rowH + 24}" width="12" height="12" fill="${OUTCOME_COLOURS.sdc}"/><text x="${left + 208}" y="${top + scrub.length * rowH + 34}" font-size="12">uncorrectable (detected)</text>`;
  return svg(800, top + scrub.length * rowH + 46, grid + bars + key);
}

function svg(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" style="max-width:100%;height:auto" ${FONT} fill="#222" role="img">${body}</svg>`;
}

function statsTable(stats: CampaignStats): string {
  const head = `<tr><th>target</th><th>n</th>${OUTCOMES.map((o) => `<th><span class="dot" style="background:${OUTCOME_COLOURS[o]}"></span>${OUTCOME_LABELS[o]}</th>`).join('')}</tr>`;
  const row = (t: TargetStats): string => `<tr${t.target === 'all' ? ' class="total"' : ''}><td>${t.target}</td><td class="num">${t.injections}</td>${t.outcomes.map((o) => `<td class="num"><b>${o.count}</b><br><small>${escapeHtml(formatRate(o))}</small></td>`).join('')}</tr>`;
  return `<table class="stats">${head}${stats.byTarget.map(row).join('')}${row(stats.total)}</table>`;
}

function scrubTable(scrub: readonly ScrubByTarget[]): string {
  const rows = scrub.map((s) => `<tr><td>${escapeHtml(s.target)}</td><td class="num">${s.rows}</td><td class="num">${s.corrected}</td><td class="num">${s.uncorrectable}</td><td class="num">${s.scrubbedWords.toLocaleString('en-US')}</td></tr>`).join('');
  return `<table class="stats small"><tr><th>target</th><th>flights</th><th>corrected</th><th>uncorrectable</th><th>words scrubbed</th></tr>${rows}</table>`;
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#f4f5f7;margin:0}
main{max-width:940px;margin:0 auto;padding:28px 32px 48px;background:#fff;box-shadow:0 0 12px rgba(0,0,0,.06)}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid #e5e7eb}
.sub{color:#666;font-size:13px;margin:0 0 16px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;font-size:13px;margin:0}
dl.facts dt{color:#666}dl.facts dd{margin:0}
.cards{display:flex;gap:12px;margin:18px 0 4px;flex-wrap:wrap}
.card{flex:1;min-width:140px;border:1px solid #e5e7eb;border-radius:6px;padding:10px 14px}
.card .v{font-size:22px;font-weight:600}.card .l{font-size:12px;color:#666}
figure{margin:8px 0 0}figcaption{font-size:12px;color:#555;margin-top:4px}
table.stats{border-collapse:collapse;font-size:12px;width:100%;margin-top:8px}
table.stats th,table.stats td{border-bottom:1px solid #eee;padding:5px 6px;text-align:left;vertical-align:top}
table.stats th{font-weight:600;color:#444;background:#fafafa}table.stats td.num{text-align:right}
table.stats tr.total td{border-top:2px solid #ccc;font-weight:600}
table.small{width:auto}
.dot{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:5px}
small{color:#666}
footer{font-size:11px;color:#888;margin-top:32px}
`;

function card(value: string, label: string): string {
  return `<div class="card"><div class="v">${escapeHtml(value)}</div><div class="l">${escapeHtml(label)}</div></div>`;
}

function figure(name: (typeof REPORT_FIGURES)[number], title: string, body: string, caption: string): string {
  return `<h2>${title}</h2><figure id="fig-${name}" data-figure="${name}">${body}<figcaption>${caption}</figcaption></figure>`;
}

export function renderReport(data: ReportData): string {
  const total = data.stats.total;
  const sdc = total.outcomes.find((o) => o.outcome === 'sdc');
  const detected = total.outcomes.filter((o) => o.outcome === 'recovered' || o.outcome === 'degraded').reduce((a, o) => a + o.count, 0);
  const cards = `<div class="cards">${card(String(total.injections), 'injections')}${card(total.injections === 0 ? '–' : `${fmt((100 * detected) / total.injections, 1)} %`, 'safe after a mechanism acted (recovered, degraded)')}${card(sdc === undefined ? '–' : formatRate(sdc), 'silent data corruption (95 % Wilson)')}${card(data.latenciesMs.length === 0 ? '–' : `${fmt(median(data.latenciesMs), 1)} ms`, 'median detection latency')}</div>`;
  const facts = `<dl class="facts">${data.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
  const body = [
    `<h1>${escapeHtml(data.title)}</h1><p class="sub">${escapeHtml(data.source)}</p>`,
    facts, cards,
    figure('outcomes', 'Outcomes per fault target', outcomeBars(data.stats) + statsTable(data.stats), 'Share of injections per outcome class; the table gives counts and rates with Wilson 95 % intervals (a zero count shows its upper bound).'),
    figure('sdc', 'Silent data corruption rate', sdcChart(data.stats), 'Dot: observed SDC rate; whisker: Wilson 95 % interval. An open dot is a zero count, whose whisker is the upper bound.'),
    figure('latency', 'Detection latency', latencyHistogram(data.latenciesMs), `From injection to the first detection, over ${data.latenciesMs.length} detected injections.`),
    figure('traces', 'Attitude error of the worst flights', tracePlot(data.traces), 'The flights with the largest attitude error, replayed from their seeds (triplex run --replay FILE:ROW reruns one).'),
    figure('scrub', 'Scrubber statistics', scrubChart(data.scrub) + scrubTable(data.scrub), 'Errors corrected and uncorrectable errors detected by ECC, scrubber and register votes, summed over the flights of each target.'),
    '<footer>Generated by triplex report. Self-contained: no scripts, no network.</footer>',
  ].join('\n');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(data.title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>\n`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
