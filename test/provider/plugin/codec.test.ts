/**
 * The plugin's own protobuf codec (transport/codec.ts) against protobufjs, which it
 * replaced: for every message type of the descriptor, pseudo-random messages (each
 * field set or not, one member per oneof, repeated fields, maps, enums, negative and
 * large 64-bit integers, non-ASCII strings) encoded by protobufjs decode to what
 * protobufjs's toObject gives with the plugin's old conversion options, and what the
 * codec encodes protobufjs decodes to the same.
 */
import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { descriptor } from '../../../provider/plugin/proto/descriptor.js';
import { Codec } from '../../../provider/plugin/transport/codec.js';

const CONVERSION = { enums: String, longs: Number, defaults: true, oneofs: true };
const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
root.resolveAll();
const codec = new Codec(descriptor);

function messageTypes(namespace: protobuf.NamespaceBase): protobuf.Type[] {
  return namespace.nestedArray.flatMap((nested) => [
    ...(nested instanceof protobuf.Type ? [nested] : []),
    ...(nested instanceof protobuf.Namespace ? messageTypes(nested) : []),
  ]);
}

let seed = 1;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

function sample(type: protobuf.Type, depth: number): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (random() < 0.3 || (field.partOf && random() < 0.6)) continue;
    const one = (): unknown => {
      const resolved = field.resolvedType;
      if (resolved instanceof protobuf.Enum) {
        const names = Object.keys(resolved.values);
        return names[Math.floor(random() * names.length)];
      }
      if (resolved) return depth > 3 ? {} : sample(resolved, depth + 1);
      switch (field.type) {
        case 'string':
          return `s${Math.floor(random() * 1000)}é✓`;
        case 'bytes':
          return Buffer.from([0, 255, Math.floor(random() * 255)]);
        case 'bool':
          return random() < 0.5;
        case 'int64':
          return Math.floor((random() - 0.3) * 1e12);
        case 'uint32':
          return Math.floor(random() * 4e9);
      }
      throw new Error(`no sample for ${field.type}`);
    };
    if (field instanceof protobuf.MapField) message[field.name] = { a: one(), 'b/c': one() };
    else if (field.repeated) message[field.name] = [one(), one()];
    else message[field.name] = one();
  }
  for (const oneof of type.oneofsArray) {
    for (const extra of oneof.oneof.filter((name) => name in message).slice(1)) {
      delete message[extra];
    }
  }
  return message;
}

describe('transport/codec.ts, against protobufjs', () => {
  const types = messageTypes(root);

  it('covers the descriptor', () => {
    expect(types.length).toBeGreaterThan(50);
  });

  it.each(types.map((type) => [type.fullName, type] as const))('%s', (fullName, type) => {
    const mine = codec.message(fullName.slice(1));
    for (let i = 0; i < 30; i++) {
      const message = sample(type, 0);
      const encoded = type.encode(type.fromObject(message)).finish();
      const expected = type.toObject(type.decode(encoded), CONVERSION);
      expect(codec.decode(mine, encoded)).toEqual(expected);
      expect(type.toObject(type.decode(codec.encode(mine, message)), CONVERSION)).toEqual(expected);
    }
  });

  it('decodes an empty message to every default, without the members of a oneof', () => {
    const step = codec.message('tfplugin6.AttributePath.Step');
    expect(codec.decode(step, new Uint8Array())).toEqual({});
    const diagnostic = codec.message('tfplugin6.Diagnostic');
    expect(codec.decode(diagnostic, new Uint8Array())).toEqual({
      severity: 'INVALID',
      summary: '',
      detail: '',
      attribute: null,
    });
  });

  it('skips fields it does not know (a newer Terraform)', () => {
    const diagnostic = codec.message('tfplugin6.Diagnostic');
    // field 99, varint 5; field 98, length-delimited "x"; then summary "s".
    const bytes = Buffer.from([0x98, 0x06, 0x05, 0x92, 0x06, 0x01, 0x78, 0x12, 0x01, 0x73]);
    expect(codec.decode(diagnostic, bytes)).toMatchObject({ summary: 's' });
  });
});
