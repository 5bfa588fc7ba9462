/**
 * `devdb-agent doctor`: checks, in order, the settings, DNS, TCP, login, the
 * database, the files and the profile block, and says what to fix. A check
 * that needs an earlier one to pass is skipped rather than failing twice.
 */
import type { Config } from '../config.js';
import { checkDns, checkLogin, checkTcp } from '../doctor/network.js';
import { checkEnvFile, checkPgpass, checkProfiles, checkServiceFile } from '../doctor/files.js';
import { fail, ok, skip, type Finding } from '../doctor/check.js';
import { AgentError, EXIT } from '../errors.js';
import { print } from '../log.js';
import { loadSettings, passwordFor } from '../settings.js';

async function checkSettings(): Promise<{
  findings: Finding[];
  config?: Config;
  password?: string;
}> {
  let config: Config;
  try {
    config = await loadSettings();
  } catch (error) {
    const e = error as AgentError;
    return { findings: [fail('env', e.message, e.fix)] };
  }
  const from = process.env.DEVDB_HOST ? 'the environment' : '~/.devdb/env';
  const settings = ok(
    'env',
    `${config.user}@${config.host}:${config.port}/${config.name} (from ${from})`,
  );
  try {
    const password = await passwordFor(config);
    const source = config.password ? 'DEVDB_PASSWORD' : '~/.pgpass';
    return { findings: [settings, ok('password', `from ${source} (not shown)`)], config, password };
  } catch (error) {
    const e = error as AgentError;
    return { findings: [settings, fail('password', e.message, e.fix)], config };
  }
}

async function checkServer(config: Config, password: string | undefined): Promise<Finding[]> {
  const dns = await checkDns(config);
  if (dns.outcome === 'fail') return [dns, skip('tcp', 'needs DNS')];
  const tcp = await checkTcp(config);
  if (tcp.outcome === 'fail') return [dns, tcp, skip('login', 'needs TCP')];
  if (!password) return [dns, tcp, skip('login', 'needs a password')];
  return [dns, tcp, ...(await checkLogin(config, password))];
}

function render(f: Finding): string {
  const label = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: 'skip' }[f.outcome];
  const line = `${label}  ${f.check.padEnd(9)} ${f.detail}`;
  return f.fix ? `${line}\n      fix: ${f.fix}` : line;
}

export async function doctor(): Promise<number> {
  const { findings, config, password } = await checkSettings();
  if (config) {
    findings.push(...(await checkServer(config, password)));
    const envPassword = config.password;
    findings.push(await checkPgpass(config, envPassword), await checkServiceFile(config));
    findings.push(await checkEnvFile(config), await checkProfiles());
  }
  const problems = findings.filter((f) => f.outcome === 'fail').length;
  print(findings.map(render).join('\n'));
  print(
    problems
      ? `${problems} problem(s) found: fix them from the top down`
      : 'everything looks right',
  );
  return problems ? EXIT.failed : EXIT.ok;
}
