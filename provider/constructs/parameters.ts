import { Construct } from 'constructs';
import { Fn, TerraformIterator } from 'cdktn';
import {
  DataCoderParameter,
  type DataCoderParameterConfig,
} from './.gen/providers/coder/data-coder-parameter/index.js';
import { DataDevdbTeams } from './.gen/providers/devdb/data-devdb-teams/index.js';
import type { DatabaseType } from '../../provisioning/contract/index.js';
import { TEAM_MAX } from '../../provisioning/contract/index.js';

export interface DevDbParametersProps {
  /** The choice selected when the user picks nothing. Default: `individual`. */
  readonly defaultType?: DatabaseType | 'none';
  /** Position of the two parameters in Coder's form. Default: 10 and 11. */
  readonly order?: number;
  /**
   * How `team_database_name` is asked. `free-text` (default): a text field checked
   * against the team-name rule, so a new team's database is created on first use.
   * `existing`: a choice among DevDB's active team databases (`devdb_teams`), with
   * their members and sizes; Coder accepts nothing else, so new teams need an admin
   * (`devdb_team`, or one free-text template).
   */
  readonly teamOptions?: TeamOptions;
}

export type TeamOptions = 'free-text' | 'existing';

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
  /** The `devdb_teams` the options come from, with `teamOptions: 'existing'`. */
  readonly teams?: DataDevdbTeams;

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
    if (props.teamOptions === 'existing') this.teams = new DataDevdbTeams(this, 'teams', {});
    const choice = this.teams
      ? { option: existingTeamOptions(this.teams) }
      : { validation: TEAM_NAME_VALIDATION };
    this.teamDatabaseName = new DataCoderParameter(this, 'team_database_name', {
      name: 'team_database_name',
      displayName: 'Team database name',
      description:
        props.teamOptions === 'existing'
          ? "For a Team database: the team whose database to use. Keep 'No team' otherwise."
          : 'For a Team database: the team name, e.g. frontend-project. Leave empty otherwise.',
      type: 'string',
      default: '',
      mutable: false,
      icon: '/icon/database.svg',
      order: order + 1,
      ...choice,
    });
  }
}

const NO_TEAM_OPTION = {
  name: 'No team',
  value: '',
  description: 'For an Individual database, or none.',
};

const TEAM_NAME_VALIDATION = {
  regex: TEAM_NAME_REGEX,
  error: `Team names are 1–${TEAM_MAX} lowercase letters, digits and hyphens, starting with a letter (e.g. frontend-project).`,
};

/**
 * One option per active team database, read from DevDB when Coder evaluates the
 * parameters, and a `No team` option: the parameter's value must be one of its
 * options, and workspaces without a team database take the empty default. Keyed
 * by value, so Coder lists them in order: `No team` (""), then the teams by name.
 */
function existingTeamOptions(teams: DataDevdbTeams): DataCoderParameterConfig['option'] {
  const listed = TerraformIterator.fromList(teams.teams).forExpressionForList(
    '{ name = val.name, value = val.name, description = "${val.database}: ${length(val.members)} members, ${floor(val.size_bytes / 1048576)} MB" }',
  );
  const byValue = TerraformIterator.fromList(
    Fn.concat([[NO_TEAM_OPTION], listed]),
  ).forExpressionForMap('val.value', 'val');
  const choices = TerraformIterator.fromMap(byValue);
  return choices.dynamic({
    name: choices.getString('name'),
    value: choices.getString('value'),
    description: choices.getString('description'),
  });
}
