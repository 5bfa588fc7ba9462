import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import protobuf from 'protobufjs';

// The .proto files in this folder are the source of truth for the wire protocol.
// Parsing them costs start-up time, so this generator turns them into a JSON
// descriptor module (descriptor.ts) that the plugin loads instantly and that the
// bundle carries inside itself. A test checks that descriptor.ts is up to date.
//
//   npm run proto:generate

export const PROTO_FILES = ['tfplugin6.proto', 'goplugin.proto'];

export function describeProtocol(protoDir: string): object {
  const root = new protobuf.Root();
  for (const file of PROTO_FILES) {
    protobuf.parse(readFileSync(join(protoDir, file), 'utf8'), root, { keepCase: true });
  }
  return root.toJSON();
}

export function renderDescriptorModule(descriptor: object): string {
  return [
    '// Generated from tfplugin6.proto and goplugin.proto by generate.ts; do not edit.',
    '// Run `npm run proto:generate` after changing a .proto file.',
    `export const descriptor: Record<string, unknown> = ${JSON.stringify(descriptor, null, 2)};`,
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const protoDir = join(process.cwd(), 'provider/plugin/proto');
  writeFileSync(
    join(protoDir, 'descriptor.ts'),
    renderDescriptorModule(describeProtocol(protoDir)),
  );
}
