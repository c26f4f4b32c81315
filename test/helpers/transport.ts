/** The built transport modules: the same instances (and the same token cache) the built node uses. */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type * as Client from '../../nodes/NiceCxone/transport/client';
import type * as Transport from '../../nodes/NiceCxone/transport';
import type { CxoneSandbox } from '../sandbox/server';
import { loadBuilt } from './built';
import { sandboxCredentials } from './runWorkflow';

export const transport = loadBuilt<typeof Transport>('nodes/NiceCxone/transport/index.js');
export const client = loadBuilt<typeof Client>('nodes/NiceCxone/transport/client.js');

/** Checked credentials for `sandbox`, as the node derives them from the credential data. */
export const cxoneCredentials = (sandbox: CxoneSandbox, overrides: ICredentialDataDecryptedObject = {}) =>
	transport.credentialsFrom(sandboxCredentials(sandbox, overrides));

/** A valid update body for one attribute. */
export const updateBody = (value: string | number = 'x') =>
	JSON.stringify({ attributes: [{ key: 'campaign_id', value, mode: 'UPDATE' }] });

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
