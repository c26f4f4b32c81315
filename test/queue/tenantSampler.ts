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

/** When the tenant accepted the first and the last update of one group of interactions (one execution's). */
export interface GroupStretch {
	group: string;
	fromMs: number;
	toMs: number;
	updates: number;
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
	private readonly groups = new Map<string, GroupStretch>();
	private appliedSeen = 0;
	private timer: NodeJS.Timeout | undefined;

	/** `groupOf` tells which group (such as which execution) an updated interaction belongs to. */
	constructor(
		private readonly sandbox: CxoneSandbox,
		private readonly groupOf: (interactionId: string) => string,
	) {}

	start(): void {
		this.samples.length = 0;
		this.groups.clear();
		this.appliedSeen = 0;
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

	/** Calls accepted and refused in each whole second from `fromMs`: the shape of the run, stalls included. */
	perSecond(fromMs: number, toMs: number): Array<{ accepted: number; refused: number }> {
		const seconds: Array<{ accepted: number; refused: number }> = [];
		for (let start = fromMs; start + 1000 <= toMs; start += 1000) {
			const { accepted, refused } = this.window(start, start + 1000);
			seconds.push({ accepted, refused });
		}
		return seconds;
	}

	/** Each group's first and last accepted update, to within one sampling interval. */
	stretches(): GroupStretch[] {
		return [...this.groups.values()];
	}

	private sample(): void {
		const at = Date.now();
		const { acceptedApiCalls, rateLimited } = this.sandbox.stats;
		this.samples.push({ at, accepted: acceptedApiCalls, refused: rateLimited });
		const applied = this.sandbox.applied;
		const previous = this.samples[this.samples.length - 2]?.at ?? at;
		for (; this.appliedSeen < applied.length; this.appliedSeen++) {
			const group = this.groupOf(applied[this.appliedSeen].interactionId);
			const stretch = this.groups.get(group) ?? { group, fromMs: previous, toMs: at, updates: 0 };
			stretch.toMs = at;
			stretch.updates++;
			this.groups.set(group, stretch);
		}
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
