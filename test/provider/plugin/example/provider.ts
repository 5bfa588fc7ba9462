import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  attribute,
  block,
  defineDataSource,
  defineProvider,
  defineResource,
  defineSchema,
  DiagnosticError,
  lengthBetween,
  matches,
  oneOf,
  type Model,
} from '../../../../provider/plugin/index.js';

// A small file-backed provider used only by the tests: `example_file` writes a file
// (and its sensitive `secret` to a 0600 side file), `data.example_file` reads one.

interface Client {
  baseDir: string;
}

const providerSchema = defineSchema({
  description: 'Manages files on the local disk (test provider).',
  attributes: {
    base_dir: attribute.string({
      optional: true,
      description: 'Directory that relative paths are resolved against.',
    }),
  },
});

const fileSchema = defineSchema({
  description: 'A file with the given content.',
  attributes: {
    path: attribute.string({
      required: true,
      requiresReplace: true,
      description: 'Where the file lives.',
      validators: [lengthBetween(1, 200), matches(/^[^\0]*$/, 'a path without NUL bytes')],
    }),
    content: attribute.string({ required: true, description: 'What the file contains.' }),
    secret: attribute.string({
      optional: true,
      sensitive: true,
      description: 'Stored in a 0600 side file.',
    }),
    permissions: attribute.string({
      default: '0644',
      description: 'Octal file mode.',
      validators: [oneOf('0600', '0644', '0640')],
    }),
    delay_ms: attribute.number({
      optional: true,
      description: 'How long create and update take (for interruption tests).',
    }),
    id: attribute.string({ computed: true, useStateForUnknown: true, description: 'The path.' }),
    checksum: attribute.string({ computed: true, description: 'SHA-256 of the content.' }),
  },
  blocks: {
    label: block.list(
      {
        attributes: {
          name: attribute.string({
            required: true,
            validators: [matches(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _')],
          }),
          value: attribute.string({ optional: true }),
        },
      },
      { description: 'Free-form labels kept in state.', maxItems: 5 },
    ),
  },
});

type File = Model<typeof fileSchema>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const resolve = (client: Client, path: string) =>
  isAbsolute(path) ? path : join(client.baseDir, path);

async function writeFiles(
  client: Client,
  plan: { path: string; content: string; secret: string | null; permissions: string },
) {
  const path = resolve(client, plan.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, plan.content);
  await chmod(path, parseInt(plan.permissions, 8));
  if (plan.secret !== null) await writeFile(`${path}.secret`, plan.secret, { mode: 0o600 });
  else await rm(`${path}.secret`, { force: true });
  return { id: plan.path, checksum: sha256(plan.content) };
}

function known(plan: Record<string, unknown>, names: string[]) {
  for (const name of names) {
    if (typeof plan[name] !== 'string' && plan[name] !== null) {
      throw new DiagnosticError(`${name} must be known at apply time`, { path: [name] });
    }
  }
}

const file = defineResource<typeof fileSchema, Client>({
  schema: fileSchema,
  async create({ plan, provider }) {
    known(plan, ['path', 'content', 'permissions']);
    if (typeof plan.delay_ms === 'number') await sleep(plan.delay_ms);
    return writeFiles(provider, plan as never);
  },
  async update({ plan, provider }) {
    if (typeof plan.delay_ms === 'number') await sleep(plan.delay_ms);
    return writeFiles(provider, plan as never);
  },
  async read({ state, provider }) {
    const path = resolve(provider, state.path);
    const content = await readFile(path, 'utf8').catch(() => null);
    if (content === null) return null;
    const secret = await readFile(`${path}.secret`, 'utf8').catch(() => null);
    const mode = ((await stat(path)).mode & 0o777).toString(8).padStart(4, '0');
    return { content, secret, permissions: mode, checksum: sha256(content), id: state.path };
  },
  async delete({ state, provider }) {
    const path = resolve(provider, state.path);
    await rm(path, { force: true });
    await rm(`${path}.secret`, { force: true });
  },
  async importState({ id, provider }) {
    const content = await readFile(resolve(provider, id), 'utf8').catch(() => {
      throw new DiagnosticError('Cannot import', { detail: `No file at ${id}.` });
    });
    return { path: id, id, content, permissions: '0644', label: [] } satisfies Partial<File>;
  },
});

const fileDataSchema = defineSchema({
  description: 'Reads a file.',
  attributes: {
    path: attribute.string({ required: true, description: 'The file to read.' }),
    content: attribute.string({ computed: true, description: 'Its content.' }),
    checksum: attribute.string({ computed: true }),
  },
});

const fileData = defineDataSource<typeof fileDataSchema, Client>({
  schema: fileDataSchema,
  async read({ config, provider }) {
    const content = await readFile(resolve(provider, config.path), 'utf8').catch(() => {
      throw new DiagnosticError('File not found', {
        path: ['path'],
        detail: 'No file at that path.',
      });
    });
    return { content, checksum: sha256(content) };
  },
});

export const exampleProvider = defineProvider({
  name: 'example',
  schema: providerSchema,
  configure: ({ config }): Client => ({ baseDir: config.base_dir ?? process.cwd() }),
  resources: { file },
  dataSources: { file: fileData },
});
