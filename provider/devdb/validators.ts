/** Terraform validators from DevDB's naming rules: the messages say what is allowed. */
import {
  normalizeUsername,
  TEAM_RULE,
  USERNAME_RULE,
  validateTeamName,
  validateWorkspaceId,
  WORKSPACE_ID_RULE,
} from '../../provisioning/contract/index.js';
import type { Validator } from '../plugin/index.js';

function fromRule(check: (value: string) => unknown, rule: string): Validator<string> {
  return (value) => {
    try {
      check(value);
      return undefined;
    } catch {
      return `Must be ${rule}.`;
    }
  };
}

export const isUsername = fromRule(normalizeUsername, USERNAME_RULE);
export const isTeamName = fromRule(validateTeamName, TEAM_RULE);
export const isWorkspaceId = fromRule(validateWorkspaceId, WORKSPACE_ID_RULE);
