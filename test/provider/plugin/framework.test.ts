import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  attribute,
  block,
  defineProvider,
  defineResource,
  defineSchema,
  generateDocs,
  oneOf,
  UNKNOWN,
  type Model,
} from '../../../provider/plugin/index.js';
import { describeProtocol } from '../../../provider/plugin/proto/generate.js';
import { descriptor } from '../../../provider/plugin/proto/descriptor.js';
import { planChange } from '../../../provider/plugin/rpc/plan.js';
import { ProviderService } from '../../../provider/plugin/rpc/service.js';
import { validateBlock } from '../../../provider/plugin/schema/validate.js';
import { cachedBlockType } from '../../../provider/plugin/schema/types.js';
import { createLogger } from '../../../provider/plugin/transport/log.js';
import { decodeMsgpack, encodeMsgpack } from '../../../provider/plugin/values/msgpack.js';
import { isUnknown } from '../../../provider/plugin/values/value.js';
import { exampleProvider } from './example/provider.js';

// The framework's rules, called directly (no process, no gRPC).

const schema = defineSchema({
  attributes: {
    name: attribute.string({ required: true, requiresReplace: true }),
    size: attribute.number({ optional: true }),
    kind: attribute.string({ default: 'small', validators: [oneOf('small', 'large')] }),
    id: attribute.string({ computed: true, useStateForUnknown: true }),
    version: attribute.number({ computed: true }),
    password: attribute.string({ computed: true, sensitive: true }),
  },
  blocks: {
    rule: block.list({
      attributes: {
        port: attribute.number({
          required: true,
          validators: [(p) => (p > 0 ? undefined : 'Must be positive.')],
        }),
        note: attribute.string({ computed: true }),
      },
    }),
  },
});

const config = (values: Record<string, unknown>) => ({
  name: 'a',
  size: null,
  kind: null,
  id: null,
  version: null,
  password: null,
  rule: [],
  ...values,
});

describe('planning rules', () => {
  it('on create: defaults applied, computed attributes unknown', () => {
    const cfg = config({});
    const { planned, requiresReplace } = planChange(schema, null, cfg as never, cfg as never);
    expect(planned?.kind).toBe('small');
    expect(isUnknown(planned?.id)).toBe(true);
    expect(isUnknown(planned?.version)).toBe(true);
    expect(requiresReplace).toEqual([]);
  });

  const prior = config({
    kind: 'small',
    id: 'x',
    version: 1,
    password: 'p',
    rule: [{ port: 1, note: 'n' }],
  });

  it('without changes: everything keeps its prior value', () => {
    const cfg = config({ rule: [{ port: 1, note: null }] });
    const proposed = { ...prior };
    const { planned } = planChange(schema, prior as never, proposed as never, cfg as never);
    expect(planned).toEqual(prior);
  });

  it('on update: computed values become unknown unless kept by useStateForUnknown', () => {
    const cfg = config({ size: 2, rule: [{ port: 1, note: null }] });
    const proposed = { ...prior, size: 2 };
    const { planned, requiresReplace } = planChange(
      schema,
      prior as never,
      proposed as never,
      cfg as never,
    );
    expect(planned?.id).toBe('x');
    expect(isUnknown(planned?.version)).toBe(true);
    expect(isUnknown(planned?.password)).toBe(true);
    expect(planned?.rule).toEqual([{ port: 1, note: 'n' }]);
    expect(requiresReplace).toEqual([]);
  });

  it('reports requiresReplace attributes that change, by path', () => {
    const cfg = config({ name: 'b', rule: [{ port: 1, note: null }] });
    const proposed = { ...prior, name: 'b' };
    const { requiresReplace } = planChange(schema, prior as never, proposed as never, cfg as never);
    expect(requiresReplace).toEqual([['name']]);
  });

  it('plans destroy as null', () => {
    expect(planChange(schema, prior as never, null, null).planned).toBe(null);
  });

  it('validates known values only, with attribute paths into blocks', () => {
    const problems = validateBlock(
      schema,
      config({ kind: 'huge', rule: [{ port: 1 }, { port: -1 }] }) as never,
    );
    expect(problems.map((p) => p.path)).toEqual([['kind'], ['rule', 1, 'port']]);
    expect(validateBlock(schema, config({ kind: UNKNOWN }) as never)).toEqual([]);
  });
});

describe('enum attributes', () => {
  const SIZES = ['small', 'large'] as const;
  const sized = defineSchema({
    attributes: {
      size: attribute.enum(SIZES, { default: 'small' }),
      tier: attribute.enum(['gold', 'silver'], {
        optional: true,
        validators: [(v) => (v === 'silver' ? 'Silver is sold out.' : undefined)],
      }),
    },
  });

  it('narrow the model to their values', () => {
    expectTypeOf<Model<typeof sized>['size']>().toEqualTypeOf<'small' | 'large'>();
    expectTypeOf<Model<typeof sized>['tier']>().toEqualTypeOf<'gold' | 'silver' | null>();
  });

  it('are strings that validate against their values before their own validators', () => {
    expect(sized.attributes.size.type).toEqual(attribute.string({ optional: true }).type);
    const problems = (values: Record<string, unknown>) =>
      validateBlock(sized, { size: null, tier: null, ...values } as never).map((p) => p.detail);
    expect(problems({ size: 'huge' })).toEqual(['Must be one of: "small", "large".']);
    expect(problems({ size: 'large', tier: 'gold' })).toEqual([]);
    expect(problems({ tier: 'bronze' })).toEqual(['Must be one of: "gold", "silver".']);
    expect(problems({ tier: 'silver' })).toEqual(['Silver is sold out.']);
  });

  it('document like the string attribute they are', () => {
    const docsOf = (size: typeof sized.attributes.size | ReturnType<typeof attribute.string>) =>
      generateDocs(
        defineProvider({
          name: 'x',
          schema: defineSchema({ attributes: {} }),
          resources: {
            thing: defineResource({ schema: defineSchema({ attributes: { size } }) } as never),
          },
        }),
      );
    const plain = attribute.string({ default: 'small', validators: [oneOf(...SIZES)] });
    expect(docsOf(sized.attributes.size)).toEqual(docsOf(plain));
  });
});

describe('provider service', () => {
  const type = cachedBlockType(schema);
  const dv = (value: unknown) => ({ msgpack: encodeMsgpack(type, value as never) });
  const returned: { value: Record<string, unknown> } = { value: {} };
  const resource = defineResource({
    schema,
    version: 1,
    async create() {
      return returned.value;
    },
    async read({ state }) {
      return state;
    },
    async update() {
      return returned.value;
    },
    async delete() {},
    upgradeState({ version, state }) {
      if (version === 0) {
        const { title, ...rest } = state;
        return { ...rest, name: title };
      }
      return state;
    },
  });
  const provider = defineProvider({
    name: 'test',
    schema: defineSchema({ attributes: {} }),
    resources: { thing: resource },
  });
  const handlers = new ProviderService(provider as never, createLogger('test', 'off')).handlers();

  it('names the attribute when apply contradicts the plan', async () => {
    const planned = {
      ...config({ kind: 'small' }),
      id: UNKNOWN,
      version: UNKNOWN,
      password: UNKNOWN,
    };
    returned.value = { id: 'x', version: 1, password: 'secret-pw', kind: 'large' };
    const response = (await handlers.ApplyResourceChange!({
      type_name: 'test_thing',
      prior_state: dv(null),
      planned_state: dv(planned),
      config: dv(config({})),
    })) as { diagnostics: { summary: string; detail: string; attribute: { steps: object[] } }[] };
    expect(response.diagnostics).toHaveLength(1);
    expect(response.diagnostics[0]?.summary).toMatch(/inconsistent result/);
    expect(response.diagnostics[0]?.detail).toMatch(/attribute kind was planned as "small"/);
    expect(response.diagnostics[0]?.attribute.steps).toEqual([{ attribute_name: 'kind' }]);
  });

  it('reports computed attributes left unknown, without showing sensitive values', async () => {
    const planned = {
      ...config({ kind: 'small' }),
      id: UNKNOWN,
      version: UNKNOWN,
      password: 'planned-pw',
    };
    returned.value = { id: 'x', password: 'other-pw' };
    const response = (await handlers.ApplyResourceChange!({
      type_name: 'test_thing',
      prior_state: dv(null),
      planned_state: dv(planned),
      config: dv(config({})),
    })) as { diagnostics: { detail: string }[] };
    const detail = response.diagnostics[0]?.detail ?? '';
    expect(detail).toMatch(/attribute version is still unknown after apply/);
    expect(detail).toMatch(/attribute password differs from the planned value/);
    expect(detail).not.toMatch(/pw/);
  });

  it('upgrades old state through the resource hook', async () => {
    const old = { ...config({}), name: undefined, title: 'legacy', removed_long_ago: 1, rule: [] };
    const response = (await handlers.UpgradeResourceState!({
      type_name: 'test_thing',
      version: 0,
      raw_state: { json: Buffer.from(JSON.stringify(old)) },
    })) as { upgraded_state: { msgpack: Uint8Array }; diagnostics: unknown[] };
    expect(response.diagnostics).toEqual([]);
    expect(decodeMsgpack(type, response.upgraded_state.msgpack)).toMatchObject({ name: 'legacy' });
  });

  it('refuses an import that leaves required attributes unset', async () => {
    const response = (await handlers.ImportResourceState!({
      type_name: 'test_thing',
      id: 'abc',
    })) as {
      diagnostics: { summary: string }[];
    };
    expect(response.diagnostics[0]?.summary).toMatch(
      /must set every required attribute; missing name/,
    );
  });

  it('answers an unknown resource type with a diagnostic', async () => {
    const response = (await handlers.ReadResource!({ type_name: 'test_nope' })) as {
      diagnostics: { summary: string }[];
    };
    expect(response.diagnostics[0]?.summary).toMatch(/no resource type "test_nope"/);
  });
});

describe('generated artefacts', () => {
  it('descriptor.ts matches the .proto files', () => {
    const protoDir = fileURLToPath(new URL('../../../provider/plugin/proto', import.meta.url));
    expect(descriptor).toEqual(describeProtocol(protoDir));
  });

  it('reference docs come from the same schema, in the registry layout', () => {
    const pages = generateDocs(exampleProvider as never, {
      imports: { file: '```shell\nterraform import example_file.a path/to/file\n```' },
    });
    expect(Object.keys(pages).sort()).toEqual([
      'data-sources/file.md',
      'index.md',
      'resources/file.md',
    ]);
    const page = pages['resources/file.md'] ?? '';
    expect(page).toMatch(/^---\npage_title: "example_file Resource - terraform-provider-example"/);
    expect(page).toMatch(/### Required\n\n- `path` \(String\) Where the file lives\. Changing it/);
    expect(page).toMatch(/- `content` \(String\) What the file contains\./);
    expect(page).toMatch(/- `secret` \(String, Sensitive\) Stored in a 0600 side file\./);
    expect(page).toMatch(/- `permissions` \(String\) Octal file mode\. Defaults to `"0644"`\./);
    expect(page).toMatch(/### Read-Only\n\n- `id` \(String\) The path\.\n- `checksum`/);
    expect(page).toMatch(/### Nested Schema for `label`\n\nRequired:\n\n- `name` \(String\)/);
    expect(page).toMatch(/## Import/);
  });
});
