/**
 * The databases list's filters and sort, as pure functions of the rows: applied
 * to the rows a snapshot holds, or turned into the query of GET
 * /api/v1/databases when there are more databases than a snapshot holds.
 */
import type { DatabaseItem, DatabaseQuery, DatabaseRow } from '../api/types.js';

export type SortKey = 'name' | 'size' | 'connections' | 'lastAccessed' | 'createdAt';

export interface DatabaseFilters {
  search: string;
  status: '' | DatabaseItem['status'];
  owner: string;
  team: string;
  sort: SortKey;
  order: 'asc' | 'desc';
}

export const DEFAULT_FILTERS: Readonly<DatabaseFilters> = {
  search: '',
  status: '',
  owner: '',
  team: '',
  sort: 'name',
  order: 'asc',
};

const SORTS: Record<SortKey, (a: DatabaseRow, b: DatabaseRow) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  size: (a, b) => (a.sizeBytes ?? -1) - (b.sizeBytes ?? -1),
  connections: (a, b) => (a.connections ?? 0) - (b.connections ?? 0),
  lastAccessed: (a, b) => (a.lastAccessed ?? '').localeCompare(b.lastAccessed ?? ''),
  createdAt: (a, b) => a.createdAt.localeCompare(b.createdAt),
};

/** Whether the view differs from the snapshot's own: the first databases by name. */
export function isFiltered(filters: DatabaseFilters): boolean {
  return (
    Boolean(filters.search || filters.status || filters.owner || filters.team) ||
    filters.sort !== DEFAULT_FILTERS.sort ||
    filters.order !== DEFAULT_FILTERS.order
  );
}

/** The rows that pass the filters, in the chosen order. */
export function filterRows(rows: DatabaseRow[], filters: DatabaseFilters): DatabaseRow[] {
  const needle = filters.search.toLowerCase();
  const shown = rows
    .filter((d) => !needle || d.name.toLowerCase().includes(needle))
    .filter((d) => !filters.status || d.status === filters.status)
    .filter((d) => !filters.owner || (d.owner ?? '').includes(filters.owner))
    .filter((d) => !filters.team || (d.team ?? '').includes(filters.team))
    .sort(SORTS[filters.sort]);
  if (filters.order === 'desc') shown.reverse();
  return shown;
}

/** The API's query for the filters (connections are not the API's to sort by: live only). */
export function searchQuery(filters: DatabaseFilters, limit: number): DatabaseQuery {
  return {
    limit,
    search: filters.search || undefined,
    status: filters.status || undefined,
    owner: filters.owner || undefined,
    team: filters.team || undefined,
    sort: filters.sort === 'connections' ? undefined : filters.sort,
    order: filters.order,
  };
}
