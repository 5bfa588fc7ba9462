/**
 * Where `devdb up` keeps its data unless told (server/data-dir.ts): in a clone,
 * its .devdb/; installed, the platform's data directory, never the package's own
 * folder (which `npm ci` deletes). test/package/pack.test.ts runs it installed.
 */
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../server/data-dir.js';

describe('the default data dir', () => {
  it("is a clone's .devdb/, as npm start uses", () => {
    expect(defaultDataDir('/src/devdb', { HOME: '/home/ann' })).toBe('/src/devdb/.devdb');
  });

  it('is $XDG_DATA_HOME/devdb when installed, in a project or globally', () => {
    const env = { HOME: '/home/ann', XDG_DATA_HOME: '/data/ann' };
    expect(defaultDataDir('/work/app/node_modules/devdb', env)).toBe('/data/ann/devdb');
    expect(defaultDataDir('/usr/lib/node_modules/devdb', env)).toBe('/data/ann/devdb');
  });

  it('is ~/.local/share/devdb without XDG_DATA_HOME, or with a relative one (the spec ignores it)', () => {
    const installed = '/work/app/node_modules/devdb';
    expect(defaultDataDir(installed, { HOME: '/home/ann' })).toBe('/home/ann/.local/share/devdb');
    expect(defaultDataDir(installed, { HOME: '/home/ann', XDG_DATA_HOME: 'data' })).toBe(
      '/home/ann/.local/share/devdb',
    );
  });
});
