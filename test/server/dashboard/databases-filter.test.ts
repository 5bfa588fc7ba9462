/**
 * The databases list's filters (server/dashboard/pages/databases-filter.ts),
 * without a browser: on the rows a snapshot holds, and as the API's query when
 * there are more databases than that.
 */
import { describe, expect, it } from 'vitest';
import type { DatabaseRow } from '../../../server/dashboard/api/types.js';
import {
  DEFAULT_FILTERS,
  filterRows,
  isFiltered,
  searchQuery,
  type DatabaseFilters,
} from '../../../server/dashboard/pages/databases-filter.js';

const row = (name: string, more: Partial<DatabaseRow> = {}): DatabaseRow => ({
  name,
  server: 'central',
  type: 'individual',
  owner: name.replace(/^dev_/, ''),
  ownerId: null,
  team: null,
  status: 'active',
  createdAt: '2025-01-01T00:00:00Z',
  lastAccessed: null,
  users: 1,
  activeAttachments: 0,
  sizeBytes: null,
  idleDays: null,
  connectionsAllowed: true,
  ...more,
});

const rows = [
  row('dev_ben', { sizeBytes: 10, connections: 3 }),
  row('team_web', { type: 'team', owner: null, team: 'web', sizeBytes: 30, connections: 1 }),
  row('dev_anna', { status: 'archived', sizeBytes: 20 }),
];
const names = (filters: Partial<DatabaseFilters>) =>
  filterRows(rows, { ...DEFAULT_FILTERS, ...filters }).map((d) => d.name);

describe('the databases filters', () => {
  it('sort by name by default, and by any column either way', () => {
    expect(names({})).toEqual(['dev_anna', 'dev_ben', 'team_web']);
    expect(names({ order: 'desc' })).toEqual(['team_web', 'dev_ben', 'dev_anna']);
    expect(names({ sort: 'size' })).toEqual(['dev_ben', 'dev_anna', 'team_web']);
    expect(names({ sort: 'connections', order: 'desc' })).toEqual([
      'dev_ben',
      'team_web',
      'dev_anna',
    ]);
  });

  it('filter by name (any case), state, owner and team', () => {
    expect(names({ search: 'BEN' })).toEqual(['dev_ben']);
    expect(names({ status: 'archived' })).toEqual(['dev_anna']);
    expect(names({ owner: 'ann' })).toEqual(['dev_anna']);
    expect(names({ team: 'web' })).toEqual(['team_web']);
  });

  it('say when the view is not the snapshot’s own (the first databases by name)', () => {
    expect(isFiltered(DEFAULT_FILTERS)).toBe(false);
    expect(isFiltered({ ...DEFAULT_FILTERS, search: 'a' })).toBe(true);
    expect(isFiltered({ ...DEFAULT_FILTERS, order: 'desc' })).toBe(true);
  });

  it('become the API query, without what the API cannot sort by', () => {
    expect(searchQuery({ ...DEFAULT_FILTERS, search: 'dana', status: 'active' }, 500)).toEqual({
      limit: 500,
      search: 'dana',
      status: 'active',
      owner: undefined,
      team: undefined,
      sort: 'name',
      order: 'asc',
    });
    expect(searchQuery({ ...DEFAULT_FILTERS, sort: 'connections' }, 500).sort).toBeUndefined();
  });
});
