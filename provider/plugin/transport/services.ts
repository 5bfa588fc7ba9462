import { descriptor } from '../proto/descriptor.js';
import { Codec, type MessageType } from './codec.js';

// Builds the gRPC methods (path → message codecs) from the generated descriptor, with the
// conversions the handlers expect: field names as written in the .proto, enums as
// strings, 64-bit integers as numbers, defaults filled in, oneofs named.
//
// The messages are read and written by ./codec.ts, by reflection over the descriptor
// (protobufjs compiled four functions per message type at every launch), each type
// resolved when a method first uses it.

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

export async function loadServiceDefinitions(): Promise<ServiceDefinitions> {
  const codec = new Codec(descriptor);
  const service = (name: string): ServiceDefinition => {
    const definition: ServiceDefinition = {};
    const scope = name.slice(0, name.lastIndexOf('.'));
    for (const [method, json] of Object.entries(codec.methods(name))) {
      // Resolved when the method is first used.
      let types: { request: MessageType; response: MessageType } | undefined;
      const resolved = () =>
        (types ??= {
          request: messageType(codec, json.requestType, scope),
          response: messageType(codec, json.responseType, scope),
        });
      definition[method] = {
        path: `/${name}/${method}`,
        requestStream: Boolean(json.requestStream),
        responseStream: Boolean(json.responseStream),
        requestSerialize: (value) => codec.encode(resolved().request, value),
        requestDeserialize: (bytes) => codec.decode(resolved().request, bytes),
        responseSerialize: (value) => codec.encode(resolved().response, value),
        responseDeserialize: (bytes) => codec.decode(resolved().response, bytes),
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

function messageType(codec: Codec, name: string, scope: string): MessageType {
  const type = codec.resolve(name, scope);
  if (type.enum) throw new Error(`${name} is an enum, not a message`);
  return type;
}
