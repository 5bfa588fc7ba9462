/**
 * What the policy's commands share. protectionText is also how `devdb inspect`
 * and `devdb delete` show a database's protection, so it reads the same everywhere.
 */
import type { PolicyStateRow } from '../../../provisioning/index.js';
import type { ConnectionOptions } from '../../admin-connection.js';

export type Connection = Omit<ConnectionOptions, 'env'>;

export const NAME_ARGUMENT = { name: 'name', description: 'database name, e.g. dev_alice' };

/** `until 2025-12-31: reason`, `yes`, or null when not protected. */
export function protectionText(row: PolicyStateRow): string | null {
  if (!row.protected) return null;
  const until = row.protectedUntil
    ? `until ${row.protectedUntil.toISOString().slice(0, 10)}`
    : 'yes';
  return row.protectReason ? `${until}: ${row.protectReason}` : until;
}
