import type * as GrpcModule from '@grpc/grpc-js';
import { descriptor } from '../proto/descriptor.js';

// Builds the gRPC service definitions from the generated descriptor, with the
// conversions the handlers expect: field names as written in the .proto, enums as
// strings, 64-bit integers as numbers, defaults filled in, oneofs named.

export type Grpc = typeof GrpcModule;

export interface ServiceDefinitions {
  provider: GrpcModule.ServiceDefinition;
  broker: GrpcModule.ServiceDefinition;
  stdio: GrpcModule.ServiceDefinition;
  controller: GrpcModule.ServiceDefinition;
}

export async function loadServiceDefinitions(): Promise<ServiceDefinitions> {
  const protoLoader = await import('@grpc/proto-loader');
  const definitions = protoLoader.fromJSON(
    descriptor as Parameters<typeof protoLoader.fromJSON>[0],
    {
      keepCase: true,
      enums: String,
      longs: Number,
      defaults: true,
      oneofs: true,
    },
  );
  const service = (name: string) => definitions[name] as GrpcModule.ServiceDefinition;
  return {
    provider: service('tfplugin6.Provider'),
    broker: service('plugin.GRPCBroker'),
    stdio: service('plugin.GRPCStdio'),
    controller: service('plugin.GRPCController'),
  };
}
