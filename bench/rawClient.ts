/**
 * The raw ceiling: a bare keep-alive HTTP client posting the benchmark's bodies. It runs as a child
 * process of run.ts, like n8n does, so it does not share an event loop with the sandbox it measures,
 * and like the n8n workflows it makes a cold pass before the measured one.
 * argv[2]: RawClientOptions as JSON; prints RawClientResult[] (one per pass) as JSON.
 */
import http from 'node:http';

import { attributeBody, attributesPath, benchItem } from './items';

export interface RawClientOptions {
	url: string;
	token: string;
	count: number;
	concurrency: number;
}

export interface RawClientResult {
	elapsedMs: number;
	latenciesMs: number[];
	failures: number;
}

function post(agent: http.Agent, url: URL, path: string, token: string, body: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const request = http.request(
			{
				agent,
				host: url.hostname,
				port: url.port,
				method: 'POST',
				path,
				headers: {
					Authorization: `Bearer ${token}`,
					'Content-Type': 'application/json',
					Accept: 'application/json',
					'Content-Length': Buffer.byteLength(body),
				},
			},
			(response) => {
				// Reading the body to its end is what hands the socket back to the pool.
				response.resume();
				response.once('end', () => resolve(response.statusCode ?? 0));
				response.once('error', reject);
			},
		);
		request.once('error', reject);
		request.end(body);
	});
}

async function pass(agent: http.Agent, options: RawClientOptions): Promise<RawClientResult> {
	const url = new URL(options.url);
	const requests = Array.from({ length: options.count }, (_, i) => {
		const item = benchItem(i);
		return { path: attributesPath(item.id), body: attributeBody(item) };
	});
	const latenciesMs: number[] = [];
	let failures = 0;
	let next = 0;
	const worker = async () => {
		while (next < requests.length) {
			const { path, body } = requests[next++];
			const sentAt = performance.now();
			const status = await post(agent, url, path, options.token, body);
			latenciesMs.push(performance.now() - sentAt);
			if (status !== 200) failures++;
		}
	};
	const startedAt = performance.now();
	await Promise.all(Array.from({ length: options.concurrency }, worker));
	return { elapsedMs: performance.now() - startedAt, latenciesMs, failures };
}

async function main(options: RawClientOptions): Promise<RawClientResult[]> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
	const cold = await pass(agent, options);
	const warm = await pass(agent, options);
	agent.destroy();
	return [cold, warm];
}

main(JSON.parse(process.argv[2]) as RawClientOptions).then(
	(result) => process.stdout.write(JSON.stringify(result)),
	(error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	},
);
