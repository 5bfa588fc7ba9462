/**
 * examples/monitoring: the alerting rules pass `promtool check rules` and their
 * unit tests (`promtool test rules`), and the scrape config is valid. promtool
 * comes with Debian's prometheus package; without it this fails, naming it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const dir = path.join('examples', 'monitoring');

async function promtool(args: string[], cwd = dir): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)('promtool', args, { cwd });
    return stdout + stderr;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(
        "promtool is missing: install Debian's prometheus package (apt-get install -y prometheus); .ci/run does",
      );
    }
    throw new Error(`promtool ${args.join(' ')} failed:\n${failure.stdout}${failure.stderr}`);
  }
}

describe('examples/monitoring', () => {
  it('the alerting rules are valid', async () => {
    expect(await promtool(['check', 'rules', 'devdb-alerts.yml'])).toMatch(
      /SUCCESS: 10 rules found/,
    );
  });

  it('the alerting rules fire when they should (promtool unit tests)', async () => {
    expect(await promtool(['test', 'rules', 'devdb-alerts.test.yml'])).toMatch(/SUCCESS/);
  });

  it('the scrape config is valid', async () => {
    const scratch = await mkdtemp(path.join(tmpdir(), 'devdb-prometheus-'));
    try {
      const tokenFile = path.join(scratch, 'devdb-token');
      await writeFile(tokenFile, 'devdb_example\n');
      const config = (await readFile(path.join(dir, 'prometheus.yml'), 'utf8')).replace(
        '/etc/prometheus/devdb-token',
        tokenFile,
      );
      await writeFile(path.join(scratch, 'prometheus.yml'), config);
      await writeFile(
        path.join(scratch, 'devdb-alerts.yml'),
        await readFile(path.join(dir, 'devdb-alerts.yml')),
      );
      expect(await promtool(['check', 'config', 'prometheus.yml'], scratch)).toMatch(/SUCCESS/);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
