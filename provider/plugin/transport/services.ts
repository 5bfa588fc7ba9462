import type * as GrpcModule from '@grpc/grpc-js';
import type { IConversionOptions, Method, Type } from 'protobufjs';
import { descriptor } from '../proto/descriptor.js';

// Builds the gRPC service definitions from the generated descriptor, with the
// conversions the handlers expect: field names as written in the .proto, enums as
// strings, 64-bit integers as numbers, defaults filled in, oneofs named.
//
// This is what @grpc/proto-loader's fromJSON makes, minus what only a gRPC client or
// reflection uses: proto-loader also loads protobufjs's descriptor extension, encodes
// a FileDescriptorProto for every file and a DescriptorProto for every message, and
// resolves every type up front (~25 ms of each plugin launch). Here protobufjs/light
// resolves a message type when a method first uses it.

export type Grpc = typeof GrpcModule;

export interface ServiceDefinitions {
  provider: GrpcModule.ServiceDefinition;
  broker: GrpcModule.ServiceDefinition;
  stdio: GrpcModule.ServiceDefinition;
  controller: GrpcModule.ServiceDefinition;
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
  const service = (name: string): GrpcModule.ServiceDefinition => {
    const definition: Record<string, GrpcModule.MethodDefinition<object, object>> = {};
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
        originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
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
