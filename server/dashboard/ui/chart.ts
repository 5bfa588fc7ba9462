/**
 * Charts drawn as SVG by the page itself (no library, nothing fetched): a line
 * over time (a database's size, its sessions) and horizontal bars (the fleet by
 * state, idle days, storage per server). Each is an image with a label that
 * says what it shows in words, and its values in `data-*` attributes and
 * `<title>`s (hovering a point or a bar names its value).
 */
import { h } from './dom.js';
import { stamp } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, ...children: (Node | string)[]) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  el.append(...children);
  return el;
}

const title = (text: string) => svg('title', {}, text);

export interface Point {
  at: string;
  value: number;
}

const WIDTH = 400;
const HEIGHT = 170;
const LEFT = 64;
const BOTTOM = 22;

/** A figure: the chart under its heading, or a line saying why there is nothing to draw. */
function figure(id: string, caption: string, body: Element | HTMLElement): HTMLElement {
  return h('figure', { class: 'chart', 'data-chart': id }, h('figcaption', {}, caption), body);
}

/** `points` over time as a line; `format` says a value (`7.4 MiB`). */
export function lineChart(
  id: string,
  caption: string,
  points: Point[],
  format: (value: number) => string,
): HTMLElement {
  if (points.length < 2) {
    return figure(id, caption, h('p', { class: 'hint' }, 'Not enough samples yet.'));
  }
  const times = points.map((p) => Date.parse(p.at));
  const values = points.map((p) => p.value);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const max = Math.max(...values, 0);
  const top = max || 1;
  const x = (t: number) => LEFT + ((t - t0) / (t1 - t0 || 1)) * (WIDTH - LEFT - 10);
  const y = (v: number) => 10 + (1 - v / top) * (HEIGHT - BOTTOM - 10);
  const path = points.map((p, i) => `${x(times[i]!).toFixed(1)},${y(p.value).toFixed(1)}`);
  const last = points.at(-1)!;
  const label = `${caption}: from ${format(values[0]!)} to ${format(last.value)} (highest ${format(max)}) between ${stamp(points[0]!.at)} and ${stamp(last.at)}`;
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': label,
      'data-points': points.length,
      'data-max': max,
      'data-last': last.value,
    },
    title(label),
    svg('line', { class: 'axis', x1: LEFT, y1: y(0), x2: WIDTH - 10, y2: y(0) }),
    svg('text', { x: LEFT - 6, y: y(top) + 4, 'text-anchor': 'end' }, format(top)),
    svg('text', { x: LEFT - 6, y: y(0) + 4, 'text-anchor': 'end' }, format(0)),
    svg('text', { x: LEFT, y: HEIGHT - 4 }, stamp(points[0]!.at)),
    svg('text', { x: WIDTH - 10, y: HEIGHT - 4, 'text-anchor': 'end' }, stamp(last.at)),
    svg('polyline', { class: 'line', points: path.join(' ') }),
    ...points.map((p, i) =>
      svg(
        'circle',
        { class: 'dot', cx: x(times[i]!).toFixed(1), cy: y(p.value).toFixed(1), r: 2.5 },
        title(`${stamp(p.at)}: ${format(p.value)}`),
      ),
    ),
  );
  return figure(id, caption, chart);
}

export interface Bar {
  label: string;
  value: number;
}

/** `bars` side by side as horizontal bars, each with its value written beside it. */
export function barChart(
  id: string,
  caption: string,
  bars: Bar[],
  format: (value: number) => string = String,
): HTMLElement {
  if (!bars.length) return figure(id, caption, h('p', { class: 'hint' }, 'Nothing to show.'));
  const row = 24;
  const height = bars.length * row + 4;
  const labelWidth = 90;
  const room = WIDTH - labelWidth - 90;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const words = bars.map((b) => `${b.label} ${format(b.value)}`).join(', ');
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': `${caption}: ${words}` },
    title(`${caption}: ${words}`),
    ...bars.map((b, i) => {
      const width = (b.value / max) * room;
      const top = i * row + 2;
      return svg(
        'g',
        { class: 'bar', 'data-label': b.label, 'data-value': b.value },
        title(`${b.label}: ${format(b.value)}`),
        svg('text', { x: labelWidth - 8, y: top + 15, 'text-anchor': 'end' }, b.label),
        svg('rect', { x: labelWidth, y: top + 3, width: Math.max(width, 1), height: row - 8 }),
        svg('text', { x: labelWidth + width + 6, y: top + 15 }, format(b.value)),
      );
    }),
  );
  return figure(id, caption, chart);
}
