/**
 * Preloaded into the benchmark's n8n processes (NODE_OPTIONS=--require); it changes nothing n8n does.
 * - `n8n execute` logs the run and calls process.exit() while a large write to a pipe is still queued,
 *   which cuts the printed run short: exit now waits until stdout has taken everything.
 * - At exit it appends the process's peak RSS (VmHWM) to $BENCH_PROBE_FILE.
 * - With $BENCH_CPU_PROFILE_DIR set, it CPU-profiles each `n8n execute` into that folder
 *   (--cpu-prof itself is not allowed in NODE_OPTIONS).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

if (process.argv[1] && process.argv[1].endsWith('n8n/bin/n8n') && process.env.BENCH_PROBE_FILE) {
	const exit = process.exit;
	let exiting = false;
	process.exit = (code) => {
		if (exiting) return exit.call(process, code);
		exiting = true;
		// An empty write's callback runs once every earlier write has been handed to the OS.
		process.stdout.write('', () => exit.call(process, code));
	};

	const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
	let session;
	let clock;
	if (profileDir && process.argv.includes('execute')) {
		session = new (require('node:inspector').Session)();
		session.connect();
		session.post('Profiler.enable');
		session.post('Profiler.start');
		// The profile's timestamps are monotonic microseconds; this pairs them with the wall clock, so
		// bench/profileSummary.ts can pick the samples of a pass whose start and end n8n reports in epoch ms.
		clock = { epochMs: Date.now(), monotonicUs: Number(process.hrtime.bigint() / 1000n) };
	}

	process.on('exit', () => {
		// The in-process inspector session answers synchronously, so this still runs before exit.
		session?.post('Profiler.stop', (error, result) => {
			if (!error) {
				const id = process.argv.find((arg) => arg.startsWith('--id=')).slice(5);
				fs.writeFileSync(
					path.join(profileDir, `${id}-${process.pid}.cpuprofile`),
					JSON.stringify({ ...result.profile, clock }),
				);
			}
		});
		const peak = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
		const line = { pid: process.pid, args: process.argv.slice(2), peakRssKb: peak ? Number(peak[1]) : null };
		fs.appendFileSync(process.env.BENCH_PROBE_FILE, `${JSON.stringify(line)}\n`);
	});
}
