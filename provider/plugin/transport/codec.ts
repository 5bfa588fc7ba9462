// Protocol buffers for the plugin's own descriptor (proto/descriptor.ts), read by
// reflection: no code generated at run time (protobufjs compiles an encoder, a decoder
// and two converters per message type with `new Function` on every launch, which V8's
// code cache cannot keep), no library to load.
//
// Decoded messages have the shape the handlers expect (what protobufjs's toObject gives
// with enums: String, longs: Number, defaults: true, oneofs: true): field names as in
// the .proto; every field present (scalars their zero value, enums the name of their
// first value, bytes an empty Buffer, messages null, repeated fields [], maps {}) except
// the members of a oneof, which appear only when set, with the oneof's own name holding
// the member's name; enums by name; 64-bit integers as numbers. Encoding takes the same
// shape (enums by name or number, bytes as Buffer/Uint8Array or base64) and leaves out
// null and undefined. The descriptor uses proto3 scalars, messages, enums, repeated
// fields, maps with string keys and oneofs; unknown fields are skipped.

interface FieldJson {
  type: string;
  id: number;
  rule?: string;
  keyType?: string;
}

interface NamespaceJson {
  nested?: Record<string, NamespaceJson>;
  fields?: Record<string, FieldJson>;
  oneofs?: Record<string, { oneof: string[] }>;
  values?: Record<string, number>;
  methods?: Record<string, MethodJson>;
}

export interface MethodJson {
  requestType: string;
  responseType: string;
  requestStream?: boolean;
  responseStream?: boolean;
}

const SCALARS = new Set(['string', 'bytes', 'bool', 'int64', 'uint32', 'int32', 'uint64']);
const VARINT_SCALARS = new Set(['bool', 'int64', 'uint32', 'int32', 'uint64']);

interface Field {
  name: string;
  id: number;
  /** A scalar's name, or the resolved message or enum. */
  kind: string | MessageType | EnumType;
  repeated: boolean;
  /** For a map: the value's kind (keys are strings). */
  mapValue?: string | MessageType | EnumType;
  oneof?: string;
}

export interface EnumType {
  enum: true;
  byName: Record<string, number>;
  byNumber: Map<number, string>;
  first: string;
}

export interface MessageType {
  enum?: undefined;
  fullName: string;
  fields: Field[];
  byId: Map<number, Field>;
  oneofs: Record<string, string[]>;
}

/** Message types of a descriptor by full name (`tfplugin6.GetProviderSchema.Request`), resolved when first used. */
export class Codec {
  private readonly types = new Map<string, MessageType | EnumType>();

  constructor(private readonly root: NamespaceJson) {}

  /** The service's methods, by name. */
  methods(service: string): Record<string, MethodJson> {
    const json = this.json(service);
    if (!json?.methods) throw new Error(`no service ${service}`);
    return json.methods;
  }

  /** A type referenced from `scope` (a dotted namespace), looked up as protobuf does: innermost first. */
  resolve(name: string, scope: string): MessageType | EnumType {
    const parts = scope.split('.').filter(Boolean);
    for (let n = parts.length; n >= 0; n--) {
      const fullName = [...parts.slice(0, n), name].join('.');
      const type = this.type(fullName);
      if (type) return type;
    }
    throw new Error(`unknown protobuf type ${name} in ${scope}`);
  }

  message(fullName: string): MessageType {
    const type = this.type(fullName);
    if (!type || type.enum) throw new Error(`no message type ${fullName}`);
    return type;
  }

  decode(type: MessageType, bytes: Uint8Array): Record<string, unknown> {
    return decodeMessage(type, new Reader(bytes, 0, bytes.length));
  }

  encode(type: MessageType, value: object): Buffer {
    const writer = new Writer();
    encodeMessage(type, value as Record<string, unknown>, writer);
    return writer.finish();
  }

  private json(fullName: string): NamespaceJson | undefined {
    let node: NamespaceJson | undefined = this.root;
    for (const part of fullName.split('.')) node = node?.nested?.[part];
    return node;
  }

  private type(fullName: string): MessageType | EnumType | undefined {
    const known = this.types.get(fullName);
    if (known) return known;
    const json = this.json(fullName);
    if (json?.values) {
      const entries = Object.entries(json.values);
      const type: EnumType = {
        enum: true,
        byName: json.values,
        byNumber: new Map(entries.map(([name, number]) => [number, name])),
        first: entries[0]![0],
      };
      this.types.set(fullName, type);
      return type;
    }
    if (!json?.fields) return undefined;
    const type: MessageType = { fullName, fields: [], byId: new Map(), oneofs: {} };
    // Registered before its fields resolve: a message may contain itself.
    this.types.set(fullName, type);
    const memberOf = new Map<string, string>();
    for (const [oneof, { oneof: members }] of Object.entries(json.oneofs ?? {})) {
      type.oneofs[oneof] = members;
      for (const member of members) memberOf.set(member, oneof);
    }
    const kindOf = (name: string) => (SCALARS.has(name) ? name : this.resolve(name, fullName));
    for (const [name, field] of Object.entries(json.fields)) {
      const resolved: Field = {
        name,
        id: field.id,
        repeated: field.rule === 'repeated',
        kind: field.keyType ? 'map' : kindOf(field.type),
        ...(field.keyType ? { mapValue: kindOf(field.type) } : {}),
        ...(memberOf.has(name) ? { oneof: memberOf.get(name) } : {}),
      };
      if (field.keyType && field.keyType !== 'string') {
        throw new Error(`${fullName}.${name}: only string map keys are supported`);
      }
      type.fields.push(resolved);
      type.byId.set(field.id, resolved);
    }
    return type;
  }
}

// ---- decoding

class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated protobuf varint');
      const byte = this.bytes[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('protobuf varint too long');
    }
  }

  /** A varint below 2^31 (lengths, tags, enums, bools, uint32), as a number. */
  small(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new Error('truncated protobuf varint');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
    // Longer: a negative int32/enum, sign-extended to ten bytes.
    this.pos -= 5;
    return Number(BigInt.asIntN(32, this.varint()));
  }

  delimited(): Reader {
    const length = this.small();
    const start = this.pos;
    if (start + length > this.end) throw new Error('truncated protobuf field');
    this.pos += length;
    return new Reader(this.bytes, start, start + length);
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.pos = this.delimited().end;
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wireType}`);
    if (this.pos > this.end) throw new Error('truncated protobuf field');
  }
}

function defaultOf(field: Field): unknown {
  if (field.kind === 'map') return {};
  if (field.repeated) return [];
  const kind = field.kind;
  if (typeof kind !== 'string') return kind.enum ? kind.first : null;
  if (kind === 'string') return '';
  if (kind === 'bytes') return Buffer.alloc(0);
  if (kind === 'bool') return false;
  return 0;
}

function decodeMessage(type: MessageType, reader: Reader): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of type.fields) if (!field.oneof) result[field.name] = defaultOf(field);
  while (reader.pos < reader.end) {
    const tag = reader.small();
    const wireType = tag & 7;
    const field = type.byId.get(tag >>> 3);
    if (!field) {
      reader.skip(wireType);
      continue;
    }
    if (field.kind === 'map') {
      const map = result[field.name] as Record<string, unknown>;
      const [key, value] = decodeMapEntry(field.mapValue!, reader.delimited());
      map[key] = value;
    } else if (field.repeated) {
      const list = result[field.name] as unknown[];
      const kind = field.kind;
      const packable = typeof kind === 'string' ? VARINT_SCALARS.has(kind) : kind.enum;
      if (packable && wireType === 2) {
        const packed = reader.delimited();
        while (packed.pos < packed.end) list.push(decodeValue(kind, 0, packed));
      } else list.push(decodeValue(kind, wireType, reader));
    } else {
      result[field.name] = decodeValue(field.kind, wireType, reader);
      if (field.oneof) result[field.oneof] = field.name;
    }
  }
  return result;
}

function decodeMapEntry(
  valueKind: string | MessageType | EnumType,
  reader: Reader,
): [string, unknown] {
  let key = '';
  let value: unknown;
  while (reader.pos < reader.end) {
    const tag = reader.small();
    if (tag >>> 3 === 1) key = decodeValue('string', tag & 7, reader) as string;
    else if (tag >>> 3 === 2) value = decodeValue(valueKind, tag & 7, reader);
    else reader.skip(tag & 7);
  }
  if (value === undefined) {
    value = defaultOf({ name: '', id: 2, kind: valueKind, repeated: false });
    // protobufjs gives an absent message value as an empty message.
    if (typeof valueKind !== 'string' && !valueKind.enum) value = decodeMessage(valueKind, reader);
  }
  return [key, value];
}

function decodeValue(kind: Field['kind'], wireType: number, reader: Reader): unknown {
  if (typeof kind !== 'string') {
    if (kind.enum) {
      const number = reader.small();
      return kind.byNumber.get(number) ?? number;
    }
    return decodeMessage(kind, reader.delimited());
  }
  switch (kind) {
    case 'string': {
      const sub = reader.delimited();
      return Buffer.from(
        sub.bytes.buffer,
        sub.bytes.byteOffset + sub.pos,
        sub.end - sub.pos,
      ).toString('utf8');
    }
    case 'bytes': {
      const sub = reader.delimited();
      return Buffer.from(sub.bytes.subarray(sub.pos, sub.end));
    }
    case 'bool':
      return reader.varint() !== 0n;
    case 'uint32':
      return Number(BigInt.asUintN(32, reader.varint()));
    case 'int32':
      return Number(BigInt.asIntN(32, reader.varint()));
    case 'uint64':
      return Number(BigInt.asUintN(64, reader.varint()));
    case 'int64':
      return Number(BigInt.asIntN(64, reader.varint()));
    default:
      throw new Error(`unsupported protobuf type ${kind} (wire type ${wireType})`);
  }
}

// ---- encoding

class Writer {
  private readonly chunks: Buffer[] = [];
  private bytes: number[] = [];

  varint(value: bigint | number): void {
    let v = typeof value === 'bigint' ? value : BigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v);
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  small(value: number): void {
    if (value < 0 || value > 0x7fffffff) return this.varint(value);
    while (value >= 0x80) {
      this.bytes.push((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    this.bytes.push(value);
  }

  tag(id: number, wireType: number): void {
    this.small((id << 3) | wireType);
  }

  raw(buffer: Uint8Array): void {
    this.flush();
    this.chunks.push(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength));
  }

  delimited(write: (writer: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    const body = inner.finish();
    this.small(body.length);
    this.raw(body);
  }

  finish(): Buffer {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }

  private flush(): void {
    if (this.bytes.length) this.chunks.push(Buffer.from(this.bytes));
    this.bytes = [];
  }
}

function encodeMessage(type: MessageType, value: Record<string, unknown>, writer: Writer): void {
  for (const field of type.fields) {
    const v = value[field.name];
    if (v === null || v === undefined) continue;
    if (field.kind === 'map') {
      for (const [key, entry] of Object.entries(v as Record<string, unknown>)) {
        if (entry === null || entry === undefined) continue;
        writer.tag(field.id, 2);
        writer.delimited((inner) => {
          encodeValue(1, 'string', key, inner);
          encodeValue(2, field.mapValue!, entry, inner);
        });
      }
    } else if (field.repeated) {
      const list = v as unknown[];
      const kind = field.kind;
      const packable = typeof kind === 'string' ? VARINT_SCALARS.has(kind) : kind.enum;
      if (packable) {
        if (!list.length) continue;
        writer.tag(field.id, 2);
        writer.delimited((inner) => {
          for (const item of list) writeVarintValue(kind, item, inner);
        });
      } else for (const item of list) encodeValue(field.id, kind, item, writer);
    } else encodeValue(field.id, field.kind, v, writer);
  }
}

function encodeValue(id: number, kind: Field['kind'], value: unknown, writer: Writer): void {
  if (typeof kind !== 'string' && !kind.enum) {
    writer.tag(id, 2);
    writer.delimited((inner) => encodeMessage(kind, value as Record<string, unknown>, inner));
    return;
  }
  if (kind === 'string') {
    writer.tag(id, 2);
    const bytes = Buffer.from(String(value), 'utf8');
    writer.small(bytes.length);
    writer.raw(bytes);
    return;
  }
  if (kind === 'bytes') {
    writer.tag(id, 2);
    const bytes =
      typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value as Uint8Array);
    writer.small(bytes.length);
    writer.raw(bytes);
    return;
  }
  writer.tag(id, 0);
  writeVarintValue(kind, value, writer);
}

function writeVarintValue(kind: Field['kind'], value: unknown, writer: Writer): void {
  if (typeof kind !== 'string') {
    if (!kind.enum) throw new Error('a message is no varint');
    const number = typeof value === 'number' ? value : kind.byName[String(value)];
    if (number === undefined) throw new Error(`no value ${String(value)} in the enum`);
    writer.small(number);
    return;
  }
  if (kind === 'bool') writer.small(value ? 1 : 0);
  else if (kind === 'int64' || kind === 'uint64' || kind === 'int32') {
    writer.varint(typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value))));
  } else writer.small(Number(value) >>> 0);
}
