import { Construct } from 'constructs';
import { TerraformCount } from 'cdktn';
import { Metadata } from './.gen/providers/coder/metadata/index.js';
import type { DevDatabase } from './database.js';

export interface DevDbMetadataProps {
  readonly database: DevDatabase;
}

/**
 * The `coder_metadata` that tells Coder's workspace page what the database
 * resource is: its name, the workspace's user, where it is and the access
 * level (write or read). Never the
 * password (Coder shows metadata to everyone who can see the workspace).
 */
export class DevDbMetadata extends Construct {
  readonly metadata: Metadata;

  constructor(scope: Construct, id: string, props: DevDbMetadataProps) {
    super(scope, id);
    const { database } = props;
    this.metadata = new Metadata(this, 'metadata', {
      count: TerraformCount.of(database.count),
      resourceId: database.attribute('id'),
      icon: '/icon/database.svg',
      item: [
        { key: 'database', value: database.attribute('name') },
        { key: 'user', value: database.attribute('user') },
        { key: 'host', value: `${database.attribute('host')}:${database.attribute('port')}` },
        { key: 'access', value: database.attribute('access') },
      ],
    });
  }
}
