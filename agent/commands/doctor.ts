/**
 * `devdb-agent doctor`: checks, in order, the settings, DNS, TCP, login, the
 * database, the files, the profile block and the psql/pg_dump versions, and
 * says what to fix. A check
 * that needs an earlier one to pass is skipped rather than failing twice.
 */
import type { Config } from '../config.js';
import { checkClients } from '../doctor/clients.js';
import { checkDns, checkLogin, checkTcp, type Login } from '../doctor/network.js';
import { checkEnvFile, checkPgpass, checkProfiles, checkServiceFile } from '../doctor/files.js';
import { fail, ok, skip, type Finding } from '../doctor/check.js';
import { AgentError, EXIT } from '../errors.js';
import { print } from '../log.js';
import { loadSettings, passwordFor } from '../files/settings.js';

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

async function checkServer(config: Config, password: string | undefined): Promise<Login> {
  const dns = await checkDns(config);
  if (dns.outcome === 'fail') return { findings: [dns, skip('tcp', 'needs DNS')] };
  const tcp = await checkTcp(config);
  if (tcp.outcome === 'fail') return { findings: [dns, tcp, skip('login', 'needs TCP')] };
  if (!password) return { findings: [dns, tcp, skip('login', 'needs a password')] };
  const login = await checkLogin(config, password);
  return { ...login, findings: [dns, tcp, ...login.findings] };
}

/** psql and pg_dump need the server's major version, which a login tells. */
async function checkClientsOf(server: Login): Promise<Finding[]> {
  if (server.serverVersionNum === undefined)
    return [skip('clients', 'psql and pg_dump need the server version (login)')];
  return checkClients(server.serverVersionNum);
}

function render(f: Finding): string {
  const label = { ok: 'ok  ', warn: 'WARN', hint: 'hint', fail: 'FAIL', skip: 'skip' }[f.outcome];
  const line = `${label}  ${f.check.padEnd(9)} ${f.detail}`;
  return f.fix ? `${line}\n      fix: ${f.fix}` : line;
}

export async function doctor(): Promise<number> {
  const { findings, config, password } = await checkSettings();
  if (config) {
    const server = await checkServer(config, password);
    findings.push(...server.findings);
    const envPassword = config.password;
    findings.push(await checkPgpass(config, envPassword), await checkServiceFile(config));
    findings.push(await checkEnvFile(config), await checkProfiles());
    findings.push(...(await checkClientsOf(server)));
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
