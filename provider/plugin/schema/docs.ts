import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProviderDefinition } from '../provider.js';
import type { CtyType } from '../values/types.js';
import type { Attribute, BlockSchema, NestedBlock } from './attributes.js';

// Reference documentation from the same declaration Terraform sees, in the Terraform
// registry's layout: index.md, resources/<name>.md, data-sources/<name>.md.

export interface DocsOptions {
  /** HCL examples keyed like the output paths: 'index', 'resources/x', 'data-sources/x'. */
  examples?: Record<string, string>;
  /** `terraform import` instructions for resources, keyed by resource name. */
  imports?: Record<string, string>;
}

export function generateDocs(
  provider: ProviderDefinition<BlockSchema, never>,
  options: DocsOptions = {},
): Record<string, string> {
  const pages: Record<string, string> = {};
  const program = `terraform-provider-${provider.name}`;
  pages['index.md'] = page({
    title: `${provider.name} Provider`,
    frontTitle: `${provider.name} Provider`,
    schema: provider.schema,
    example: options.examples?.['index'],
  });
  for (const [name, resource] of Object.entries(provider.resources)) {
    const typeName = `${provider.name}_${name}`;
    pages[`resources/${name}.md`] = page({
      title: `${typeName} (Resource)`,
      frontTitle: `${typeName} Resource - ${program}`,
      schema: resource.schema,
      example: options.examples?.[`resources/${name}`],
      importText: options.imports?.[name],
    });
  }
  for (const [name, dataSource] of Object.entries(provider.dataSources ?? {})) {
    const typeName = `${provider.name}_${name}`;
    pages[`data-sources/${name}.md`] = page({
      title: `${typeName} (Data Source)`,
      frontTitle: `${typeName} Data Source - ${program}`,
      schema: dataSource.schema,
      example: options.examples?.[`data-sources/${name}`],
    });
  }
  return pages;
}

export function writeDocs(pages: Record<string, string>, dir: string): void {
  for (const [path, text] of Object.entries(pages)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

interface PageInput {
  title: string;
  frontTitle: string;
  schema: BlockSchema;
  example?: string;
  importText?: string;
}

function page(input: PageInput): string {
  const description = input.schema.description ?? '';
  const parts = [
    '---',
    `page_title: "${input.frontTitle}"`,
    'subcategory: ""',
    'description: |-',
    ...description.split('\n').map((line) => `  ${line}`),
    '---',
    '',
    `# ${input.title}`,
    '',
    description,
    '',
  ];
  if (input.example)
    parts.push('## Example Usage', '', '```terraform', input.example.trim(), '```', '');
  parts.push('## Schema', '', ...blockSection(input.schema, ''));
  if (input.importText) parts.push('## Import', '', input.importText.trim(), '');
  return parts.join('\n').replace(/\n{3,}/g, '\n\n');
}

function blockSection(schema: BlockSchema, anchorPrefix: string): string[] {
  const groups: Record<'Required' | 'Optional' | 'Read-Only', string[]> = {
    Required: [],
    Optional: [],
    'Read-Only': [],
  };
  for (const [name, attr] of Object.entries(schema.attributes)) {
    groups[groupOf(attr)].push(attributeLine(name, attr));
  }
  const nestedSections: string[] = [];
  for (const [name, nested] of Object.entries(schema.blocks ?? {})) {
    const anchor = `${anchorPrefix}nestedblock--${name}`;
    const group = (nested.minItems ?? 0) > 0 ? 'Required' : 'Optional';
    groups[group].push(
      `- \`${name}\` (Block ${blockKind(nested)}) ${nested.description ?? ''} (see [below for nested schema](#${anchor}))`,
    );
    nestedSections.push(
      `<a id="${anchor}"></a>`,
      `### Nested Schema for \`${name}\``,
      '',
      ...blockSection(nested.block, `${anchor}--`),
    );
  }
  const lines: string[] = [];
  for (const [title, items] of Object.entries(groups)) {
    // Nested schemas use plain labels so their groups do not read as page sections.
    const heading = anchorPrefix === '' ? `### ${title}` : `${title}:`;
    if (items.length > 0) lines.push(heading, '', ...items, '');
  }
  return [...lines, ...nestedSections];
}

function groupOf(attr: Attribute<unknown>): 'Required' | 'Optional' | 'Read-Only' {
  if (attr.required) return 'Required';
  return attr.optional ? 'Optional' : 'Read-Only';
}

function attributeLine(name: string, attr: Attribute<unknown>): string {
  const notes = [
    attr.sensitive ? 'Sensitive' : '',
    attr.default !== undefined ? `Defaults to \`${JSON.stringify(attr.default)}\`.` : '',
    attr.requiresReplace ? 'Changing it replaces the resource.' : '',
    attr.deprecated ? `**Deprecated** ${attr.deprecated}` : '',
  ].filter(Boolean);
  const kind = [typeName(attr.type), ...(attr.sensitive ? ['Sensitive'] : [])].join(', ');
  const text = [attr.description ?? '', ...notes.filter((n) => n !== 'Sensitive')].join(' ').trim();
  return `- \`${name}\` (${kind}) ${text}`.trimEnd();
}

function typeName(type: CtyType): string {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${type.kind[0]?.toUpperCase()}${type.kind.slice(1)} of ${typeName(type.element)}`;
    default:
      return `${type.kind[0]?.toUpperCase()}${type.kind.slice(1)}`;
  }
}

function blockKind(nested: NestedBlock): string {
  const limits = [
    nested.minItems !== undefined ? `Min: ${nested.minItems}` : '',
    nested.maxItems !== undefined ? `Max: ${nested.maxItems}` : '',
  ].filter(Boolean);
  const kind = nested.nesting === 'single' ? 'Single' : nested.nesting === 'list' ? 'List' : 'Set';
  return limits.length > 0 ? `${kind}, ${limits.join(', ')}` : kind;
}
