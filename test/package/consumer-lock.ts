/**
 * A package-lock.json for a fresh project that depends on the packed DevDB tarball,
 * made from this repository's own lock: the same versions and integrity hashes, so
 * `npm ci --offline` installs it from the npm cache `npm ci` filled here, without
 * asking the registry anything (resolving version ranges would need its metadata).
 */
type LockEntry = Record<string, unknown> & {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
interface Lock {
  packages: Record<string, LockEntry>;
}

/** Where Node finds `name` when `from` (a lock key, '' for the root) requires it. */
function resolveIn(lock: Lock, from: string, name: string): string {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (!dir) throw new Error(`${name} (required by ${from || 'the root'}) is not in the lock`);
  }
}

/** Names an entry needs installed: dependencies, optional ones, and required peers. */
function requiredNames(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => !entry.peerDependenciesMeta?.[name]?.optional,
  );
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...peers,
  ];
}

/** Copies `names` (as the repo's root resolves them) and everything they need, flags reset. */
function closure(lock: Lock, names: string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const queue = names.map((name) => resolveIn(lock, '', name));
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    if (out[key]) continue;
    // Dev-only in this repository is a production dependency of the consumer.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[key]!;
    out[key] = entry;
    queue.push(...requiredNames(entry).map((name) => resolveIn(lock, key!, name)));
  }
  return out;
}

export interface ConsumerLockOptions {
  /** This repository's package.json and package-lock.json, parsed. */
  pkg: LockEntry & { name: string; version: string };
  repoLock: Lock;
  /** The tarball as the consumer's package.json names it, e.g. file:../devdb-0.1.0.tgz. */
  tarballSpec: string;
  tarballIntegrity: string;
  /** The consumer's other dependencies (name → exact version in the repo's lock). */
  alongside: Record<string, string>;
}

export function consumerLock(options: ConsumerLockOptions): object {
  const { pkg, repoLock, tarballSpec, tarballIntegrity, alongside } = options;
  const dependencies = { [pkg.name]: tarballSpec, ...alongside };
  const { bin, engines, license, peerDependencies, peerDependenciesMeta } = pkg;
  return {
    name: 'devdb-consumer',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'devdb-consumer', dependencies },
      [`node_modules/${pkg.name}`]: {
        version: pkg.version,
        resolved: tarballSpec,
        integrity: tarballIntegrity,
        license,
        dependencies: pkg.dependencies,
        bin,
        engines,
        peerDependencies,
        peerDependenciesMeta,
      },
      ...closure(repoLock, [...requiredNames(pkg), ...Object.keys(alongside)]),
    },
  };
}
