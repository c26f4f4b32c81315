/**
 * `npm run studio-call -- --url URL --secret SECRET [flags]`: one call to an n8n NICE CXone Trigger the way a
 * CXone Studio script makes it (sandbox/studioCaller.ts), to try a workflow before writing the script.
 */
import { parseArgs } from 'node:util';

import { callFromStudio, STUDIO_AUTOMATIC_RETRIES, STUDIO_DEFAULT_TIMEOUT_MS } from './studioCaller';

const USAGE = `Usage: npm run studio-call -- --url URL --secret SECRET [flags]

  --url URL          the trigger's Production (or Test) URL
  --secret SECRET    the trigger's Webhook Secret, sent as X-Webhook-Secret
  --body JSON        the body's fields as a JSON object; a fresh eventId is added unless it has one
                     (default {"contactId":"5000123","event":"contact.data"})
  --form             send the fields form-encoded, GetRESTProxy()'s default content type
  --timeout MS       hard limit of one attempt, ${STUDIO_DEFAULT_TIMEOUT_MS} if not given
  --retries N        automatic retries after a failed attempt, ${STUDIO_AUTOMATIC_RETRIES} if not given (the REST API action's)
  --help             print this text
`;

function usageError(message: string): never {
	console.error(`${message}\n\n${USAGE}`);
	process.exit(2);
}

function readFlags() {
	try {
		return parseArgs({
			options: {
				url: { type: 'string' },
				secret: { type: 'string' },
				body: { type: 'string', default: '{"contactId":"5000123","event":"contact.data"}' },
				form: { type: 'boolean', default: false },
				timeout: { type: 'string' },
				retries: { type: 'string' },
				help: { type: 'boolean', default: false },
			},
		}).values;
	} catch (error) {
		return usageError(error instanceof Error ? error.message : String(error));
	}
}

function wholeNumber(flag: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (!/^\d+$/.test(value)) usageError(`--${flag} must be a whole number, not ${JSON.stringify(value)}`);
	return number;
}

async function main() {
	const values = readFlags();
	if (values.help) {
		console.log(USAGE);
		return;
	}
	if (!values.url || !values.secret) usageError('--url and --secret are required');
	let fields: Record<string, unknown>;
	try {
		fields = JSON.parse(values.body ?? '{}') as Record<string, unknown>;
	} catch {
		return usageError('--body must be a JSON object');
	}
	if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) usageError('--body must be a JSON object');
	const result = await callFromStudio({
		url: values.url,
		body: { eventId: `studio-call-${Date.now()}`, ...fields },
		contentType: values.form ? 'form' : 'json',
		headers: { 'X-Webhook-Secret': values.secret },
		timeoutMs: wholeNumber('timeout', values.timeout),
		retries: wholeNumber('retries', values.retries),
	});
	console.log(JSON.stringify(result, null, 2));
	process.exitCode = result.ok ? 0 : 1;
}

void main();
