import { createHash, randomUUID } from 'node:crypto';
import {
  attribute,
  block,
  defineDataSource,
  defineSchema,
  DiagnosticError,
  oneOf,
  type Model,
} from '../../provider/plugin/index.js';

// data.coder_parameter as the real provider (v2.17) evaluates it: the value comes from
// CODER_PARAMETER_<sha256 hex of the name> (Coder sets it from the user's choice), else
// the default; it must be one of the options when there are any and pass the
// `validation` block. One deliberate difference: with neither a value nor a default the
// real provider yields "" and leaves the refusal to Coder's server, which never starts a
// build without a value for a required parameter; the stand-in plays that part and fails.

export const PARAMETER_TYPES = ['string', 'number', 'bool', 'list(string)'] as const;
type ParameterType = (typeof PARAMETER_TYPES)[number];

export const FORM_TYPES = [
  'radio',
  'slider',
  'input',
  'dropdown',
  'checkbox',
  'switch',
  'multi-select',
  'tag-select',
  'textarea',
  'error',
] as const;

/** Allowed form types by parameter type and whether options exist; the first is the default. */
const FORM_TYPE_TABLE: Record<ParameterType, Record<'options' | 'free', readonly string[]>> = {
  string: { options: ['radio', 'dropdown'], free: ['input', 'textarea'] },
  number: { options: ['radio', 'dropdown'], free: ['input', 'slider'] },
  bool: { options: ['radio', 'dropdown'], free: ['checkbox', 'switch'] },
  'list(string)': { options: ['radio', 'multi-select'], free: ['tag-select'] },
};

/** The environment variable Coder passes a parameter's value in. */
export function parameterEnvironmentVariable(name: string): string {
  return `CODER_PARAMETER_${createHash('sha256').update(name).digest('hex')}`;
}

/** The previous build's value (checked by `monotonic` validation). */
export function previousParameterEnvironmentVariable(name: string): string {
  return `CODER_PARAMETER_PREVIOUS_${createHash('sha256').update(name).digest('hex')}`;
}

const ICON =
  'A URL to an icon that will display in the dashboard. Use a built-in icon with ' +
  '`"${data.coder_workspace.me.access_url}/icon/<path>"`.';

const parameterSchema = defineSchema({
  description: 'Use this data source to configure editable options for workspaces.',
  attributes: {
    value: attribute.string({
      computed: true,
      description: 'The output value of the parameter.',
    }),
    name: attribute.string({
      required: true,
      description:
        'The name of the parameter. If this is changed, developers will be re-prompted for a new value.',
    }),
    display_name: attribute.string({
      optional: true,
      description: 'The displayed name of the parameter as it will appear in the interface.',
    }),
    description: attribute.string({
      optional: true,
      description: 'Describe what this parameter does.',
    }),
    type: attribute.string({
      optional: true,
      computed: true,
      description: `The type of this parameter. Must be one of: ${PARAMETER_TYPES.map((t) => `\`"${t}"\``).join(', ')}. Default: \`"string"\`.`,
      validators: [oneOf(...PARAMETER_TYPES)],
    }),
    form_type: attribute.string({
      optional: true,
      computed: true,
      description: `How the parameter is presented. Must be one of: ${FORM_TYPES.map((t) => `\`"${t}"\``).join(', ')}. Default: chosen from \`type\` and whether options exist.`,
      validators: [oneOf(...FORM_TYPES)],
    }),
    mutable: attribute.bool({
      optional: true,
      computed: true,
      description:
        'Whether this value can be changed after workspace creation. This can be destructive for values like region, so use with caution! Default: `false`.',
    }),
    default: attribute.string({
      optional: true,
      description: 'A default value for the parameter.',
    }),
    icon: attribute.string({ optional: true, description: ICON }),
    optional: attribute.bool({
      computed: true,
      description: 'Whether this value is optional (it has a default).',
    }),
    order: attribute.number({
      optional: true,
      description:
        'The order determines the position of a template parameter in the UI/CLI presentation. The lowest order is shown first and parameters with equal order are sorted by name (ascending order).',
    }),
    ephemeral: attribute.bool({
      optional: true,
      computed: true,
      description:
        'The value of an ephemeral parameter will not be preserved between consecutive workspace builds. Default: `false`.',
    }),
    id: attribute.string({ computed: true, description: 'A generated ID.' }),
  },
  blocks: {
    option: block.list(
      {
        attributes: {
          name: attribute.string({
            required: true,
            description: 'The display name of this value in the UI.',
          }),
          description: attribute.string({
            optional: true,
            description: 'Describe what selecting this value does.',
          }),
          value: attribute.string({
            required: true,
            description: 'The value of this option set on the parameter if selected.',
          }),
          icon: attribute.string({ optional: true, description: ICON }),
        },
      },
      { description: 'Each `option` block defines a value for a user to select from.' },
    ),
    validation: block.list(
      {
        attributes: {
          min: attribute.number({
            optional: true,
            description: 'The minimum value of a number parameter.',
          }),
          max: attribute.number({
            optional: true,
            description: 'The maximum value of a number parameter.',
          }),
          monotonic: attribute.string({
            optional: true,
            description: 'Number monotonicity, either increasing or decreasing.',
          }),
          regex: attribute.string({
            optional: true,
            description: 'A regex for the input parameter to match against.',
          }),
          error: attribute.string({
            optional: true,
            description:
              'An error message to display if the value breaks the validation rules. The following placeholders are supported: `{max}`, `{min}`, and `{value}`.',
          }),
        },
      },
      { description: 'Validate the input of a parameter.', maxItems: 1 },
    ),
  },
});

type Parameter = Model<typeof parameterSchema>;
type Validation = Parameter['validation'][number];

export const parameter = defineDataSource<typeof parameterSchema>({
  schema: parameterSchema,
  validate({ config }) {
    const rule = Array.isArray(config.validation) ? config.validation[0] : undefined;
    if (rule && typeof rule.regex === 'string') {
      for (const name of ['min', 'max', 'monotonic'] as const) {
        if (rule[name] !== null) {
          throw new DiagnosticError('Conflicting configuration arguments', {
            detail: `"validation.0.regex": conflicts with validation.0.${name}`,
            path: ['validation', 0, 'regex'],
          });
        }
      }
    }
  },
  async read({ config }) {
    const type = (config.type ?? 'string') as ParameterType;
    const mutable = config.mutable ?? false;
    const ephemeral = config.ephemeral ?? false;
    if (ephemeral && !mutable)
      throw new DiagnosticError("parameter can't be immutable and ephemeral");
    if (ephemeral && config.default === null) {
      throw new DiagnosticError('ephemeral parameter requires the default property');
    }
    const { optionType, formType } = resolveFormType(type, config.option.length, config.form_type);
    const optionValues = validOptions(config.option, optionType);

    const input = process.env[parameterEnvironmentVariable(config.name)];
    const previous = process.env[previousParameterEnvironmentVariable(config.name)];
    const fromDefault = input === undefined;
    const value = input ?? config.default;
    if (value === null) {
      throw new DiagnosticError(`parameter "${config.name}" is required`, {
        detail:
          `No value in ${parameterEnvironmentVariable(config.name)} and no default: ` +
          'Coder refuses to build a workspace until the user gives this parameter a value.',
        path: ['default'],
      });
    }
    const label = fromDefault ? 'Default value' : 'Value';
    const path = fromDefault ? ['default'] : [];
    checkOption(type, optionType, optionValues, value, label, path);
    const rule = config.validation[0];
    if (rule) {
      const error = validationError(rule, type, value, previous);
      if (error) {
        throw new DiagnosticError(
          `Invalid parameter ${label.toLowerCase()} according to 'validation' block`,
          { detail: error, path },
        );
      }
    }
    const typeError = valueTypeError(type, value);
    if (typeError) {
      throw new DiagnosticError(`Parameter value is not of type "${type}"`, { detail: typeError });
    }
    return {
      id: randomUUID(),
      value,
      type,
      form_type: formType,
      mutable,
      ephemeral,
      optional: config.default !== null,
    };
  },
});

function resolveFormType(
  type: ParameterType,
  optionCount: number,
  specified: string | null,
): { optionType: ParameterType; formType: string } {
  const table = FORM_TYPE_TABLE[type];
  const allowed = optionCount > 0 ? table.options : table.free;
  const formType = specified ?? allowed[0]!;
  if (!allowed.includes(formType)) {
    const opposite = optionCount > 0 ? table.free : table.options;
    const when = opposite.includes(formType)
      ? optionCount > 0
        ? ' when options exist'
        : ' when options do not exist'
      : '';
    throw new DiagnosticError('Invalid form_type for parameter', {
      detail: `"form_type" attribute="${formType}" is not supported for "type"="${type}"${when}, choose one of [${allowed.join(' ')}]`,
      path: ['form_type'],
    });
  }
  // A multi-select list(string) picks its elements among string options.
  const optionType = type === 'list(string)' && formType === 'multi-select' ? 'string' : type;
  return { optionType, formType };
}

function validOptions(options: Parameter['option'], optionType: ParameterType): Set<string> {
  const names = new Set<string>();
  const values = new Set<string>();
  for (const option of options) {
    if (names.has(option.name)) {
      throw new DiagnosticError('Option names must be unique.', {
        detail: `multiple options found with the same name "${option.name}"`,
      });
    }
    if (values.has(option.value)) {
      throw new DiagnosticError('Option values must be unique.', {
        detail: `multiple options found with the same value "${option.value}"`,
      });
    }
    const typeError = valueTypeError(optionType, option.value);
    if (typeError) {
      throw new DiagnosticError(
        `Option "${option.name}" with value="${option.value}" is not of type "${optionType}"`,
        { detail: typeError },
      );
    }
    names.add(option.name);
    values.add(option.value);
  }
  return values;
}

function checkOption(
  type: ParameterType,
  optionType: ParameterType,
  optionValues: Set<string>,
  value: string,
  label: string,
  path: (string | number)[],
): void {
  if (optionValues.size === 0) return;
  if (type === 'list(string)' && optionType === 'string') {
    const items = listOfStrings(value);
    if (!items) {
      throw new DiagnosticError(
        'When using list(string) type, value must be a json encoded list of strings',
        { detail: `value "${value}" is not a valid list of strings`, path },
      );
    }
    const missing = items.filter((item) => !optionValues.has(item));
    if (missing.length > 0) {
      throw new DiagnosticError(`${label}s must be a valid option`, {
        detail: `${label} "${value}" is not a valid option, values "${missing.join(', ')}" are missing from the options`,
        path,
      });
    }
    return;
  }
  if (!optionValues.has(value)) {
    const extra =
      value === ''
        ? '. The value is empty, did you forget to set it with a default or from user input?'
        : '';
    throw new DiagnosticError(`${label} must be a valid option${extra}`, {
      detail: `the value "${value}" must be defined as one of options`,
      path,
    });
  }
}

/** The `validation` block's verdict, as the real provider words it; undefined when valid. */
function validationError(
  rule: Validation,
  type: ParameterType,
  value: string,
  previous: string | undefined,
): string | undefined {
  if (type !== 'number') {
    if (rule.min !== null) return `a min cannot be specified for a ${type} type`;
    if (rule.max !== null) return `a max cannot be specified for a ${type} type`;
    if (rule.monotonic !== null && rule.monotonic !== '') {
      return `monotonic validation can only be specified for number types, not ${type} types`;
    }
  }
  if (type !== 'string' && rule.regex !== null && rule.regex !== '') {
    return `a regex cannot be specified for a ${type} type`;
  }
  const rendered = () =>
    rule.error === null || rule.error === ''
      ? undefined
      : rule.error
          .replaceAll('{min}', String(Math.trunc(rule.min ?? 0)))
          .replaceAll('{max}', String(Math.trunc(rule.max ?? 0)))
          .replaceAll('{value}', value);
  switch (type) {
    case 'bool':
      return value === 'true' || value === 'false'
        ? undefined
        : 'boolean value can be either "true" or "false"';
    case 'string': {
      if (rule.regex === null || rule.regex === '') return undefined;
      let regex: RegExp;
      try {
        regex = new RegExp(rule.regex);
      } catch (error) {
        return `compile regex "${rule.regex}": ${(error as Error).message}`;
      }
      if (rule.error === null || rule.error === '') {
        return 'an error must be specified with a regex validation';
      }
      return regex.test(value)
        ? undefined
        : `${rule.error} (value "${value}" does not match "${rule.regex}")`;
    }
    case 'number': {
      if (!/^[+-]?\d+$/.test(value)) return rendered() ?? `value "${value}" is not a number`;
      const num = Number(value);
      if (rule.min !== null && num < rule.min) {
        return rendered() ?? `value ${num} is less than the minimum ${rule.min}`;
      }
      if (rule.max !== null && num > rule.max) {
        return rendered() ?? `value ${num} is more than the maximum ${rule.max}`;
      }
      const monotonic = rule.monotonic ?? '';
      if (monotonic === '') return undefined;
      if (monotonic !== 'increasing' && monotonic !== 'decreasing') {
        return 'number monotonicity can be either "increasing" or "decreasing"';
      }
      if (previous === undefined || !/^[+-]?\d+$/.test(previous)) return undefined;
      const before = Number(previous);
      if (monotonic === 'increasing' && num < before) {
        return `parameter value '${num}' must be equal or greater than previous value: ${before}`;
      }
      if (monotonic === 'decreasing' && num > before) {
        return `parameter value '${num}' must be equal or lower than previous value: ${before}`;
      }
      return undefined;
    }
    case 'list(string)':
      return listOfStrings(value) ? undefined : `value "${value}" is not valid list of strings`;
  }
}

function valueTypeError(type: ParameterType, value: string): string | undefined {
  switch (type) {
    case 'number':
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value.trim()) &&
        value.trim() === value
        ? undefined
        : `"${value}" is not a number`;
    case 'bool':
      return [
        '1',
        't',
        'T',
        'TRUE',
        'true',
        'True',
        '0',
        'f',
        'F',
        'FALSE',
        'false',
        'False',
      ].includes(value)
        ? undefined
        : `"${value}" is not a bool`;
    case 'list(string)':
      return listOfStrings(value) ? undefined : `value "${value}" is not a valid list of strings`;
    case 'string':
      return undefined;
  }
}

function listOfStrings(value: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    // Go's json.Unmarshal into []string accepts null as an empty list.
    if (parsed === null) return [];
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  } catch {
    // Not JSON.
  }
  return undefined;
}
