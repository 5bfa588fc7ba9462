/** A database's size and sessions over the last days, from the sampler's samples. */
import type { Sample } from '../api/types.js';
import { lineChart } from '../ui/chart.js';
import { h, section } from '../ui/dom.js';
import { bytes } from '../ui/format.js';

/**
 * Sessions started between two samples: the rise of pg_stat_database's
 * counter (a reset of the statistics counts from zero again).
 */
function sessionsStarted(samples: Sample[]) {
  return samples.slice(1).map((s, i) => {
    const before = samples[i]!.sessions;
    return { at: s.at, value: s.sessions >= before ? s.sessions - before : s.sessions };
  });
}

export function trendsSection(samples: Sample[] | null): HTMLElement {
  if (!samples) return section('Trends', h('p', { class: 'hint' }, 'not available'));
  const sized = samples.filter((s) => s.sizeBytes !== null);
  return section(
    'Trends (last 7 days)',
    h(
      'div',
      { class: 'charts' },
      lineChart(
        'size',
        'Size',
        sized.map((s) => ({ at: s.at, value: s.sizeBytes! })),
        bytes,
      ),
      lineChart('sessions', 'Sessions started per sample', sessionsStarted(samples), String),
      lineChart(
        'connections',
        'Client sessions open',
        samples.map((s) => ({ at: s.at, value: s.connections })),
        String,
      ),
    ),
  );
}
