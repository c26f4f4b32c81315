/**
 * `npm run sandbox`: runs the CXone sandbox until stopped. `--help` prints the flags.
 */
import { parseArgs } from 'node:util';

import { DEFAULT_DOMAIN } from './realApi';
import { CxoneSandbox, type RateLimitMode, type SandboxOptions } from './server';

const USAGE = `Usage: npm run sandbox -- [flags]

  --port N                  listen on 127.0.0.1:N; 0 picks a free port   (env CXONE_SANDBOX_PORT)
  --client-id ID            the OAuth client id                          (env CXONE_SANDBOX_CLIENT_ID)
  --client-secret SECRET    the OAuth client secret; random if not given (env CXONE_SANDBOX_CLIENT_SECRET)
  --expires-in SECONDS      access token lifetime, 1200 if not given
  --rate-limit N            tenant limit in API calls per second; the token route is not limited
                            (env CXONE_SANDBOX_RATE_LIMIT)
  --rate-limit-mode MODE    how the limit is enforced                    (env CXONE_SANDBOX_RATE_LIMIT_MODE)
                              bucket         token bucket: bursts up to N, then N per second; 429 with Retry-After
                                             (the default)
                              strict-window  at most N accepted calls in any one-second window, N a whole
                                             number; 429 without Retry-After

The real CXone authentication, discovery, ACD (signal, tags, Real-Time, Reporting) and Business Data APIs are served
beside the tutorial contract, with a separate Digital (DFO) API on a second port. Their seeded ids (a live and a
closed contact, a Digital case and customer, a business data field, a tag) are printed at start and answered by
GET /_sandbox/seed:
  --access-key-id ID        the API user's access key id; random, ending in '=', if not given
                                                                         (env CXONE_SANDBOX_ACCESS_KEY_ID)
  --access-key-secret S     its secret; random, ending in '=', if not given
                                                                         (env CXONE_SANDBOX_ACCESS_KEY_SECRET)
  --tenant-id UUID          the tenant id in tokens and discovery; random if not given
  --area AREA               discovery's area, na1 if not given
  --domain DOMAIN           discovery's domain, ${DEFAULT_DOMAIN} (never resolves) if not given
  --access-token-lifetime SECONDS
                            real access token lifetime, 3600 if not given
  --digital-port N          the Digital API's port on 127.0.0.1; 0 picks a free port
                                                                         (env CXONE_SANDBOX_DIGITAL_PORT)
  --help                    print this text
`;

const MODES_BY_FLAG: Record<string, RateLimitMode> = { bucket: 'bucket', 'strict-window': 'strictWindow' };

function usageError(message: string): never {
	console.error(`${message}\n\n${USAGE}`);
	process.exit(2);
}

function readFlags() {
	try {
		return parseArgs({
			options: {
				port: { type: 'string', default: process.env.CXONE_SANDBOX_PORT },
				'client-id': { type: 'string', default: process.env.CXONE_SANDBOX_CLIENT_ID },
				'client-secret': { type: 'string', default: process.env.CXONE_SANDBOX_CLIENT_SECRET },
				'expires-in': { type: 'string' },
				'rate-limit': { type: 'string', default: process.env.CXONE_SANDBOX_RATE_LIMIT },
				'rate-limit-mode': { type: 'string', default: process.env.CXONE_SANDBOX_RATE_LIMIT_MODE },
				'access-key-id': { type: 'string', default: process.env.CXONE_SANDBOX_ACCESS_KEY_ID },
				'access-key-secret': { type: 'string', default: process.env.CXONE_SANDBOX_ACCESS_KEY_SECRET },
				'tenant-id': { type: 'string' },
				area: { type: 'string' },
				domain: { type: 'string' },
				'access-token-lifetime': { type: 'string' },
				'digital-port': { type: 'string', default: process.env.CXONE_SANDBOX_DIGITAL_PORT },
				help: { type: 'boolean', default: false },
			},
		}).values;
	} catch (error) {
		return usageError(error instanceof Error ? error.message : String(error));
	}
}

/** A whole number of at least `min` given as `flag`, or undefined when the flag is absent or empty (like --port). */
function wholeNumberFlag(flag: string, value: string | undefined, min: number): number | undefined {
	if (value === undefined || value === '') return undefined;
	const number = Number(value);
	if (value.trim() === '' || !Number.isInteger(number) || number < min) {
		usageError(`--${flag} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`);
	}
	return number;
}

/** The sandbox refuses an impossible limit with a RangeError, which is the user's flag, not a crash. */
function createSandbox(options: SandboxOptions): CxoneSandbox {
	try {
		return new CxoneSandbox(options);
	} catch (error) {
		if (error instanceof RangeError) usageError(`Invalid --rate-limit or --rate-limit-mode: ${error.message}`);
		throw error;
	}
}

async function main() {
	const values = readFlags();
	if (values.help) {
		console.log(USAGE);
		return;
	}
	const modeFlag = values['rate-limit-mode'] ?? 'bucket';
	const rateLimitMode = MODES_BY_FLAG[modeFlag];
	if (!rateLimitMode) usageError(`Unknown --rate-limit-mode ${modeFlag}`);
	const rateLimitPerSecond = values['rate-limit'] ? Number(values['rate-limit']) : 0;

	const sandbox = createSandbox({
		port: values.port ? Number(values.port) : 0,
		clientId: values['client-id'],
		clientSecret: values['client-secret'],
		expiresIn: values['expires-in'] ? Number(values['expires-in']) : undefined,
		rateLimitPerSecond,
		rateLimitMode,
		// An empty value (a blank environment variable) means "not given", not an empty key nobody could log in with.
		accessKeyId: values['access-key-id'] || undefined,
		accessKeySecret: values['access-key-secret'] || undefined,
		tenantId: values['tenant-id'] || undefined,
		area: values.area || undefined,
		domain: values.domain || undefined,
		// Checked here so that createSandbox's RangeError can only be about the rate limit.
		accessTokenLifetimeSeconds: wholeNumberFlag('access-token-lifetime', values['access-token-lifetime'], 1),
		digitalPort: wholeNumberFlag('digital-port', values['digital-port'], 0),
	});
	const url = await sandbox.start();
	console.log(`URL: ${url}`);
	console.log(`Client ID: ${sandbox.clientId}`);
	console.log(`Client Secret: ${sandbox.clientSecret}`);
	console.log(`Access Key ID: ${sandbox.realApi.accessKeyId}`);
	console.log(`Access Key Secret: ${sandbox.realApi.accessKeySecret}`);
	console.log(`Tenant ID: ${sandbox.realApi.tenantId}`);
	console.log(`Issuer: ${sandbox.realApi.issuer}`);
	console.log(`API Base: ${sandbox.realApi.apiBase}`);
	console.log(`Digital API Base: ${sandbox.realApi.digitalBase}`);
	const seed = sandbox.realApi.seed;
	console.log(`Live Contact ID: ${seed.liveContactId}`);
	console.log(`Closed Contact ID: ${seed.closedContactId}`);
	console.log(`Digital Case ID: ${seed.digitalCaseId}`);
	console.log(`Customer ID: ${seed.customerId}`);
	console.log(`Business Data Field: ${seed.businessDataField}`);
	console.log(`Tag ID: ${seed.tagId}`);
	console.log(`Rate limit: ${rateLimitPerSecond > 0 ? `${rateLimitPerSecond} requests/s, ${modeFlag}` : 'off'}`);
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
