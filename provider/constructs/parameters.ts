import { Construct } from 'constructs';
import { DataCoderParameter } from './.gen/providers/coder/data-coder-parameter/index.js';
import type { DatabaseType } from '../../provisioning/domain.js';
import { TEAM_MAX } from '../../provisioning/validation.js';

export interface DevDbParametersProps {
  /** The choice selected when the user picks nothing. Default: `individual`. */
  readonly defaultType?: DatabaseType | 'none';
  /** Position of the two parameters in Coder's form. Default: 10 and 11. */
  readonly order?: number;
}

/** The Coder team-name rule, as the Coder form checks it before any build starts. */
export const TEAM_NAME_REGEX = `^[a-z][a-z0-9-]{0,${TEAM_MAX - 1}}$|^$`;

/**
 * The two workspace parameters: `database_type` (Individual / Team / None) and
 * `team_database_name`. Neither can change after creation: switching databases
 * under a running workspace would strand its data.
 */
export class DevDbParameters extends Construct {
  readonly databaseType: DataCoderParameter;
  readonly teamDatabaseName: DataCoderParameter;

  constructor(scope: Construct, id: string, props: DevDbParametersProps = {}) {
    super(scope, id);
    const order = props.order ?? 10;
    this.databaseType = new DataCoderParameter(this, 'database_type', {
      name: 'database_type',
      displayName: 'Database',
      description: 'A PostgreSQL database for this workspace, from DevDB.',
      type: 'string',
      default: props.defaultType ?? 'individual',
      mutable: false,
      icon: '/icon/database.svg',
      order,
      option: [
        {
          name: 'Individual',
          value: 'individual',
          description: 'Your own database (dev_<username>), shared by all your workspaces.',
          icon: '/emojis/1f464.png',
        },
        {
          name: 'Team',
          value: 'team',
          description:
            "Your team's shared database (team_<name>); everyone on the team can use it.",
          icon: '/emojis/1f465.png',
        },
        {
          name: 'None',
          value: 'none',
          description: 'No database.',
          icon: '/emojis/26d4.png',
        },
      ],
    });
    this.teamDatabaseName = new DataCoderParameter(this, 'team_database_name', {
      name: 'team_database_name',
      displayName: 'Team database name',
      description:
        'For a Team database: the team name, e.g. frontend-project. Leave empty otherwise.',
      type: 'string',
      default: '',
      mutable: false,
      icon: '/icon/database.svg',
      order: order + 1,
      validation: {
        regex: TEAM_NAME_REGEX,
        error: `Team names are 1–${TEAM_MAX} lowercase letters, digits and hyphens, starting with a letter (e.g. frontend-project).`,
      },
    });
  }
}
