/**
 * Calls a URL the way a CXone Studio script does (spec §9): a POST with the script's headers and a JSON or form
 * body, a hard timeout per attempt, and the REST API action's two automatic retries after a failure (§9a).
 * Tests use it to call the n8n trigger; users can too, to try a workflow before writing the Studio script.
 */

/** The REST API action "will automatically try two times if a failure message is received" (spec §9a). */
export const STUDIO_AUTOMATIC_RETRIES = 2;
/** GetRESTProxy()'s ProxyTimeoutSeconds default (spec §9b); the REST API action allows up to 90 s (§9a). */
export const STUDIO_DEFAULT_TIMEOUT_MS = 10_000;
/** Studio refuses larger answers (spec §9a, §9b). */
export const STUDIO_MAX_RESPONSE_BYTES = 32 * 1024;

export interface StudioCall {
	url: string;
	/** Text sent as it is, or fields sent as JSON or as a form, per `contentType`. */
	body: string | Record<string, unknown>;
	/** json: application/json; form: application/x-www-form-urlencoded, GetRESTProxy()'s default (spec §9b). */
	contentType?: 'json' | 'form';
	headers?: Record<string, string>;
	/** Hard limit of one attempt. */
	timeoutMs?: number;
	retries?: number;
	/** Wait before each retry. */
	retryDelayMs?: number;
}

export interface StudioAttempt {
	/** The HTTP status, or -1 when there was none, as GetRESTProxy()'s StatusCode says (spec §9b). */
	status: number;
	/** What made the attempt a failure, if it was one. */
	failure?: string;
	/** The answer's JSON, when it was JSON. */
	response?: unknown;
}

export interface StudioCallResult {
	ok: boolean;
	/** The last attempt's status. */
	status: number;
	response?: unknown;
	attempts: StudioAttempt[];
}

function encode(call: StudioCall): { body: string; contentType: string } {
	const form = call.contentType === 'form';
	const contentType = form ? 'application/x-www-form-urlencoded' : 'application/json';
	if (typeof call.body === 'string') return { body: call.body, contentType };
	if (!form) return { body: JSON.stringify(call.body), contentType };
	const text = (value: unknown) =>
		value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
	const fields = Object.entries(call.body).map(([name, value]): [string, string] => [name, text(value)]);
	return { body: new URLSearchParams(fields).toString(), contentType };
}

/**
 * [U] Which answers Studio counts as a "failure message" is not published (spec §12 item 9): here, like most
 * REST clients, no answer, a timeout, a status outside 2xx, and an answer Studio cannot take (not JSON, over 32 KB).
 */
async function attempt(call: StudioCall, body: string, contentType: string): Promise<StudioAttempt> {
	let answer: Response;
	try {
		answer = await fetch(call.url, {
			method: 'POST',
			headers: { 'Content-Type': contentType, ...call.headers },
			body,
			signal: AbortSignal.timeout(call.timeoutMs ?? STUDIO_DEFAULT_TIMEOUT_MS),
		});
	} catch (error) {
		const name = (error as Error).name;
		return { status: -1, failure: name === 'TimeoutError' ? 'timeout' : `no answer: ${(error as Error).message}` };
	}
	let text: string;
	try {
		text = await answer.text();
	} catch (error) {
		return { status: answer.status, failure: `answer cut off: ${(error as Error).message}` };
	}
	if (Buffer.byteLength(text) > STUDIO_MAX_RESPONSE_BYTES) {
		return { status: answer.status, failure: `answer larger than ${STUDIO_MAX_RESPONSE_BYTES} bytes` };
	}
	let response: unknown;
	try {
		response = text === '' ? undefined : (JSON.parse(text) as unknown);
	} catch {
		return { status: answer.status, failure: 'answer is not JSON' };
	}
	if (answer.status < 200 || answer.status > 299) {
		return { status: answer.status, failure: `status ${answer.status}`, response };
	}
	return { status: answer.status, response };
}

/** Sends one Studio call: the first attempt and up to `retries` more while attempts fail. */
export async function callFromStudio(call: StudioCall): Promise<StudioCallResult> {
	const { body, contentType } = encode(call);
	const retries = call.retries ?? STUDIO_AUTOMATIC_RETRIES;
	const attempts: StudioAttempt[] = [];
	for (let index = 0; index <= retries; index++) {
		if (index > 0 && call.retryDelayMs) await new Promise((resolve) => setTimeout(resolve, call.retryDelayMs));
		const outcome = await attempt(call, body, contentType);
		attempts.push(outcome);
		if (outcome.failure === undefined) break;
	}
	const last = attempts[attempts.length - 1];
	return { ok: last.failure === undefined, status: last.status, response: last.response, attempts };
}
