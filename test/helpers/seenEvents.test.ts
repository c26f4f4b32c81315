import { describe, expect, it } from 'vitest';

import { loadBuilt } from './built';

const { remember, seenEventsOf, wasSeen, withRecent } = loadBuilt<typeof import('../../nodes/NiceCxone/helpers/seenEvents')>(
	'nodes/NiceCxone/helpers/seenEvents.js',
);

const roomy = { maxEntries: 100, maxBytes: 100_000 };

describe('seen events', () => {
	it('knows a key it remembered, for ever or until it expires', () => {
		let seen = remember([], 'id:a', null, 1_000, roomy);
		seen = remember(seen, 'body:h', 2_000, 1_000, roomy);
		expect(wasSeen(seen, 'id:a', 1_000_000)).toBe(true);
		expect(wasSeen(seen, 'body:h', 1_999)).toBe(true);
		expect(wasSeen(seen, 'body:h', 2_000)).toBe(false);
		expect(wasSeen(seen, 'id:b', 1_000)).toBe(false);
	});

	it('drops expired entries and moves a key remembered again to the most recent end', () => {
		let seen = remember([], 'body:old', 1_500, 1_000, roomy);
		seen = remember(seen, 'id:a', null, 1_000, roomy);
		seen = remember(seen, 'id:b', null, 1_000, roomy);
		seen = remember(seen, 'id:a', null, 2_000, roomy);
		expect(seen).toEqual([
			['id:b', null],
			['id:a', null],
		]);
	});

	it('keeps at most maxEntries, forgetting the oldest first', () => {
		let seen = remember([], 'id:0', null, 0, { maxEntries: 3, maxBytes: 100_000 });
		for (let index = 1; index < 10; index++) seen = remember(seen, `id:${index}`, null, 0, { maxEntries: 3, maxBytes: 100_000 });
		expect(seen.map(([key]) => key)).toEqual(['id:7', 'id:8', 'id:9']);
	});

	it('keeps its JSON text within maxBytes, forgetting the oldest first but never the newest', () => {
		const limits = { maxEntries: 1_000, maxBytes: 1_000 };
		let seen = remember([], `id:${'x'.repeat(150)}`, null, 0, limits);
		for (let index = 0; index < 50; index++) seen = remember(seen, `id:${index}-${'y'.repeat(150)}`, null, 0, limits);
		expect(JSON.stringify(seen).length).toBeLessThanOrEqual(1_000);
		expect(seen.length).toBeGreaterThan(1);
		expect(seen[seen.length - 1][0]).toBe(`id:49-${'y'.repeat(150)}`);
		const huge = remember(seen, `id:${'z'.repeat(5_000)}`, null, 0, limits);
		expect(huge.map(([key]) => key)).toEqual([`id:${'z'.repeat(5_000)}`]);
	});

	it('takes back the live entries it lacks as its most recent ones, within its limits', () => {
		const stored: Array<[string, number | null]> = [
			['id:a', null],
			['body:gone', 500],
		];
		const recent: Array<[string, number | null]> = [
			['id:a', null],
			['id:b', null],
			['body:h', 2_000],
			['body:expired', 900],
		];
		expect(withRecent(stored, recent, 1_000, roomy)).toEqual([
			['id:a', null],
			['id:b', null],
			['body:h', 2_000],
		]);
		expect(withRecent(stored, recent, 1_000, { maxEntries: 2, maxBytes: 100_000 })).toEqual([
			['id:b', null],
			['body:h', 2_000],
		]);
		const complete: Array<[string, number | null]> = [['id:a', null]];
		expect(withRecent(complete, [['id:a', null]], 1_000, roomy)).toBe(complete);
	});

	it('reads back only well-formed entries from static data', () => {
		expect(seenEventsOf(undefined)).toEqual([]);
		expect(seenEventsOf({ a: 1 })).toEqual([]);
		expect(seenEventsOf([['id:a', null], ['id:b', 5], ['id:c'], [1, null], 'x'])).toEqual([
			['id:a', null],
			['id:b', 5],
		]);
	});
});
