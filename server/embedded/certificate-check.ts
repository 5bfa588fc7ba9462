/**
 * Reading the certificates of ./tls.ts with Node's own X509Certificate: which
 * hosts one names, and whether the server's must be made again.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

const DAY_MS = 24 * 3600_000;
/** A server certificate with fewer days left than this is made again at start. */
export const RENEW_BEFORE_DAYS = 30;

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
}

/** The DNS names and IP addresses a certificate names (lower-case, sorted). */
export function certificateHosts(cert: X509Certificate): string[] {
  const names = (cert.subjectAltName ?? '').split(/,\s*/).flatMap((entry) => {
    const match = /^(DNS|IP Address):(.+)$/.exec(entry.trim());
    return match?.[2] ? [normalizeHost(match[2])] : [];
  });
  return [...new Set(names)].sort();
}

/** One spelling per host: lower-case names, IPv6 compressed and without brackets. */
export function normalizeHost(host: string): string {
  const bare = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  // Node spells a certificate's IPv6 in full (0:0:0:0:0:0:0:1); the URL parser compresses it.
  return isIP(bare) === 6 ? new URL(`http://[${bare}]`).hostname.slice(1, -1) : bare;
}

/**
 * Why a stored server certificate must be made again, or null when it still
 * serves: signed by another CA, expiring within RENEW_BEFORE_DAYS, or not
 * naming every host asked for.
 */
export function renewalReason(
  serverPem: string,
  caPem: string,
  hosts: readonly string[],
  now = new Date(),
): string | null {
  const cert = new X509Certificate(serverPem);
  const ca = new X509Certificate(caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not signed by the current CA';
  const daysLeft = (new Date(cert.validTo).getTime() - now.getTime()) / DAY_MS;
  if (daysLeft < RENEW_BEFORE_DAYS) return `expires in ${Math.max(0, Math.floor(daysLeft))} days`;
  const named = new Set(certificateHosts(cert));
  const missing = hosts.filter((host) => !named.has(normalizeHost(host)));
  return missing.length ? `does not name ${missing.join(', ')}` : null;
}
