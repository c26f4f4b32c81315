import { describe, expect, it } from 'vitest';

import { loadBuilt } from './built';

const { RecentEvents } = loadBuilt<typeof import('../../nodes/NiceCxone/helpers/recentEvents')>(
	'nodes/NiceCxone/helpers/recentEvents.js',
);

describe('RecentEvents', () => {
	it('reports an event id once per webhook', () => {
		const recent = new RecentEvents();
		expect(recent.firstSeen('wh_1', 'evt_1')).toBe(true);
		expect(recent.firstSeen('wh_1', 'evt_1')).toBe(false);
		expect(recent.firstSeen('wh_2', 'evt_1')).toBe(true);
	});

	it('forgets the least recently seen ids beyond its bound', () => {
		const recent = new RecentEvents(10, 3);
		for (const id of ['a', 'b', 'c']) recent.firstSeen('wh', id);
		expect(recent.firstSeen('wh', 'a')).toBe(false);
		recent.firstSeen('wh', 'd');
		expect(recent.firstSeen('wh', 'b')).toBe(true);
		expect(recent.firstSeen('wh', 'a')).toBe(false);
	});

	it('forgets the least recently used webhook beyond its bound', () => {
		const recent = new RecentEvents(2, 10);
		recent.firstSeen('wh_1', 'evt');
		recent.firstSeen('wh_2', 'evt');
		recent.firstSeen('wh_3', 'evt');
		expect(recent.firstSeen('wh_2', 'evt')).toBe(false);
		expect(recent.firstSeen('wh_1', 'evt')).toBe(true);
	});
});

describe('RecentEvents with an expiry', () => {
	it('forgets an id at its expiry and remembers it anew when it comes again', () => {
		const recent = new RecentEvents();
		expect(recent.firstSeen('wh', 'body:h', 2_000, 1_000)).toBe(true);
		expect(recent.firstSeen('wh', 'body:h', 3_000, 1_999)).toBe(false);
		expect(recent.firstSeen('wh', 'body:h', 4_000, 2_000)).toBe(true);
		expect(recent.firstSeen('wh', 'body:h', 5_000, 3_999)).toBe(false);
	});
});

describe('RecentEvents.entries', () => {
	it('lists a webhook’s ids not yet forgotten, least recently seen first, with their expiry', () => {
		const recent = new RecentEvents();
		recent.firstSeen('wh', 'id:a', null, 1_000);
		recent.firstSeen('wh', 'body:h', 1_500, 1_000);
		recent.firstSeen('wh', 'id:b', null, 1_000);
		recent.firstSeen('other', 'id:c', null, 1_000);
		expect(recent.entries('wh', 1_200)).toEqual([
			['id:a', null],
			['body:h', 1_500],
			['id:b', null],
		]);
		expect(recent.entries('wh', 1_500)).toEqual([
			['id:a', null],
			['id:b', null],
		]);
		expect(recent.entries('unknown', 1_000)).toEqual([]);
	});
});
