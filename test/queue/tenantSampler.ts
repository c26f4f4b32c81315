/**
 * What the sandbox's tenant accepted and refused over time, sampled from its counters in this process:
 * n8n's run data says when each execution's node ran, and these samples give the tenant's figures for
 * exactly that stretch.
 */
import type { CxoneSandbox } from '../../sandbox/server';

interface Sample {
	at: number;
	accepted: number;
	refused: number;
}

export interface TenantWindow {
	fromMs: number;
	toMs: number;
	accepted: number;
	refused: number;
	acceptedPerSecond: number;
}

const SAMPLE_EVERY_MS = 50;
/** A sampler left running by a failed test stops itself after this long. */
const MAX_SAMPLING_MS = 20 * 60_000;

export class TenantSampler {
	private readonly samples: Sample[] = [];
	private timer: NodeJS.Timeout | undefined;

	constructor(private readonly sandbox: CxoneSandbox) {}

	start(): void {
		this.samples.length = 0;
		const until = Date.now() + MAX_SAMPLING_MS;
		this.sample();
		this.timer = setInterval(() => {
			this.sample();
			if (Date.now() > until) this.stop();
		}, SAMPLE_EVERY_MS);
	}

	stop(): void {
		clearInterval(this.timer);
		this.timer = undefined;
		this.sample();
	}

	/** The tenant's figures between two wall-clock times, to within one sampling interval at each end. */
	window(fromMs: number, toMs: number): TenantWindow {
		const first = this.at(fromMs);
		const last = this.at(toMs);
		const accepted = last.accepted - first.accepted;
		const seconds = (last.at - first.at) / 1000;
		return {
			fromMs: first.at,
			toMs: last.at,
			accepted,
			refused: last.refused - first.refused,
			acceptedPerSecond: seconds > 0 ? accepted / seconds : 0,
		};
	}

	private sample(): void {
		const { acceptedApiCalls, rateLimited } = this.sandbox.stats;
		this.samples.push({ at: Date.now(), accepted: acceptedApiCalls, refused: rateLimited });
	}

	/** The last sample taken at or before `time`, or the first one. */
	private at(time: number): Sample {
		let found = this.samples[0];
		for (const sample of this.samples) {
			if (sample.at > time) break;
			found = sample;
		}
		return found;
	}
}
