import type { IConversionOptions, Method, Type } from 'protobufjs';
import { descriptor } from '../proto/descriptor.js';

// Builds the gRPC methods (path → message codecs) from the generated descriptor, with the
// conversions the handlers expect: field names as written in the .proto, enums as
// strings, 64-bit integers as numbers, defaults filled in, oneofs named.
//
// This is what @grpc/proto-loader's fromJSON makes, minus what only a gRPC client or
// reflection uses: proto-loader also loads protobufjs's descriptor extension, encodes
// a FileDescriptorProto for every file and a DescriptorProto for every message, and
// resolves every type up front (~25 ms of each plugin launch). Here protobufjs/light
// resolves a message type when a method first uses it.

/** One method: its path (`/tfplugin6.Provider/GetProviderSchema`) and message codecs. */
export interface MethodDefinition {
  path: string;
  requestStream: boolean;
  responseStream: boolean;
  requestSerialize(value: object): Buffer;
  requestDeserialize(bytes: Buffer): object;
  responseSerialize(value: object): Buffer;
  responseDeserialize(bytes: Buffer): object;
}

/** A service's methods by name. */
export type ServiceDefinition = Record<string, MethodDefinition>;

export interface ServiceDefinitions {
  provider: ServiceDefinition;
  broker: ServiceDefinition;
  stdio: ServiceDefinition;
  controller: ServiceDefinition;
}

const CONVERSION: IConversionOptions = {
  enums: String,
  longs: Number,
  defaults: true,
  oneofs: true,
};

export async function loadServiceDefinitions(): Promise<ServiceDefinitions> {
  const { default: protobuf } = await import('protobufjs/light.js');
  const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  const service = (name: string): ServiceDefinition => {
    const definition: ServiceDefinition = {};
    for (const method of root.lookupService(name).methodsArray) {
      const request = lazyType(method, 'resolvedRequestType');
      const response = lazyType(method, 'resolvedResponseType');
      definition[method.name] = {
        path: `/${name}/${method.name}`,
        requestStream: Boolean(method.requestStream),
        responseStream: Boolean(method.responseStream),
        requestSerialize: (value) => serialize(request(), value),
        requestDeserialize: (bytes) => deserialize(request(), bytes),
        responseSerialize: (value) => serialize(response(), value),
        responseDeserialize: (bytes) => deserialize(response(), bytes),
      };
    }
    return definition;
  };
  return {
    provider: service('tfplugin6.Provider'),
    broker: service('plugin.GRPCBroker'),
    stdio: service('plugin.GRPCStdio'),
    controller: service('plugin.GRPCController'),
  };
}

/** The method's request or response type, resolved when the method is first used. */
function lazyType(method: Method, which: 'resolvedRequestType' | 'resolvedResponseType') {
  return (): Type => {
    if (!method.resolved) method.resolve();
    const type = method[which];
    if (!type) throw new Error(`${method.fullName}: unresolved ${which}`);
    return type;
  };
}

function serialize(type: Type, value: object): Buffer {
  // A Buffer under Node: protobufjs allocates through util.Buffer.
  return type.encode(type.fromObject(value)).finish() as Buffer;
}

function deserialize(type: Type, bytes: Buffer): object {
  return type.toObject(type.decode(bytes), CONVERSION);
}
