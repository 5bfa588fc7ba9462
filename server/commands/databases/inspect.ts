/** `devdb inspect NAME`: one database, its users, workspaces, protection and recent events. */
import {
  inspectDatabase,
  policyStates,
  type DatabaseDetail,
  type PolicyStateRow,
} from '../../../provisioning/index.js';
import { withServerOf } from '../../admin-connection.js';
import type { CommandSpec } from '../../command.js';
import { UserError } from '../../errors.js';
import { fields, table, type Block, type Output } from '../../render.js';
import { protectionText } from '../policy/shared.js';
import { ADMIN_OPTIONS, type Connection } from './shared.js';

function detailBlocks(detail: DatabaseDetail, policy: PolicyStateRow | undefined): Block[] {
  const d = detail.database;
  return [
    fields([
      { label: 'database', value: d.name },
      { label: 'type', value: d.type },
      { label: d.type === 'team' ? 'team' : 'owner', value: d.team ?? d.owner },
      { label: 'status', value: d.status },
      { label: 'policy', value: d.policyState },
      { label: 'protected', value: policy ? protectionText(policy) : null, whenEmpty: 'no' },
      ...(policy?.dropDueAt ? [{ label: 'drop due', value: policy.dropDueAt }] : []),
      { label: 'size', value: d.sizeBytes, format: 'bytes' },
      { label: 'created', value: d.createdAt },
      { label: 'last accessed', value: d.lastAccessed, whenEmpty: 'never' },
    ]),
    table(
      detail.users,
      [
        { header: 'username', value: (u) => u.username },
        { header: 'access', value: (u) => u.accessLevel },
        { header: 'since', value: (u) => u.grantedAt },
      ],
      { title: 'Users' },
    ),
    table(
      detail.attachments,
      [
        { header: 'workspace id', value: (a) => a.workspaceId },
        { header: 'name', value: (a) => a.workspaceName },
        { header: 'owner', value: (a) => a.owner },
        { header: 'login role', value: (a) => a.user },
        { header: 'attached', value: (a) => a.attachedAt },
        { header: 'detached', value: (a) => a.detachedAt },
        { header: 'last seen', value: (a) => a.lastSeenAt, whenEmpty: 'never' },
      ],
      { title: 'Workspaces' },
    ),
    table(
      detail.recentEvents,
      [
        { header: 'at', value: (e) => e.at },
        { header: 'actor', value: (e) => e.actor },
        { header: 'action', value: (e) => e.action },
        { header: 'workspace', value: (e) => e.workspaceId },
      ],
      { title: 'Recent events' },
    ),
  ];
}

export const inspectCommand: CommandSpec<Connection & { name: string }> = {
  name: 'inspect',
  description: 'one database: users, workspaces, recent events',
  arguments: [{ name: 'name', description: 'database name, e.g. dev_alice' }],
  options: ADMIN_OPTIONS,
  async run(options, io): Promise<Output> {
    const [detail, [policy]] = await withServerOf(
      { ...options, env: io.env },
      options.name,
      (pool) =>
        Promise.all([
          inspectDatabase(pool, options.name),
          policyStates(pool, { database: options.name }),
        ]),
    );
    if (!detail) {
      throw new UserError(
        `no DevDB database named ${JSON.stringify(options.name)}; \`devdb list\` shows them`,
      );
    }
    return { json: { ...detail, policy }, blocks: detailBlocks(detail, policy) };
  },
};
