/**
 * `npm run sandbox`: runs the CXone sandbox until stopped.
 * Flags (or env): --port (CXONE_SANDBOX_PORT), --client-id, --client-secret, --expires-in, --rate-limit.
 */
import { parseArgs } from 'node:util';

import { CxoneSandbox } from './server';

const { values } = parseArgs({
	options: {
		port: { type: 'string', default: process.env.CXONE_SANDBOX_PORT },
		'client-id': { type: 'string', default: process.env.CXONE_SANDBOX_CLIENT_ID },
		'client-secret': { type: 'string', default: process.env.CXONE_SANDBOX_CLIENT_SECRET },
		'expires-in': { type: 'string' },
		'rate-limit': { type: 'string', default: process.env.CXONE_SANDBOX_RATE_LIMIT },
	},
});

async function main() {
	const sandbox = new CxoneSandbox({
		port: values.port ? Number(values.port) : 0,
		clientId: values['client-id'],
		clientSecret: values['client-secret'],
		expiresIn: values['expires-in'] ? Number(values['expires-in']) : undefined,
		rateLimitPerSecond: values['rate-limit'] ? Number(values['rate-limit']) : 0,
	});
	const url = await sandbox.start();
	console.log(`URL: ${url}`);
	console.log(`Client ID: ${sandbox.clientId}`);
	console.log(`Client Secret: ${sandbox.clientSecret}`);
	console.log(`Rate limit: ${values['rate-limit'] ? `${values['rate-limit']} requests/s` : 'off'}`);
	const stop = () => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
