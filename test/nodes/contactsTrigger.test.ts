import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { PollHarness } from '../helpers/runPoll';
import { CxoneSandbox } from '../../sandbox/server';
import { sandboxAccessKeyCredentialData } from '../../sandbox/credential';

const sandbox = new CxoneSandbox();
beforeAll(async () => {
	await sandbox.start();
});
afterAll(async () => {
	await sandbox.stop();
});

const ALL_EVENTS = ['contactStarted', 'contactStateChanged', 'contactEnded'];

/** A fresh agent per test, so that each test sees only its own contacts (the sandbox is shared). */
let agentId = 0;
beforeEach(() => {
	agentId = 1_000 + Math.floor(Math.random() * 8_000_000);
});

function trigger(parameters: INodeParameters = {}) {
	return new PollHarness(sandboxAccessKeyCredentialData(sandbox), {
		events: ALL_EVENTS,
		filters: { agentId },
		...parameters,
	});
}

/** A trigger past its first poll, which only marks where the events start. */
async function activated(parameters: INodeParameters = {}) {
	const harness = trigger(parameters);
	expect(await harness.poll()).toBeNull();
	return harness;
}

const addContact = (fields: Record<string, string | number> = {}) =>
	sandbox.realApi.addContact({ agentId, ...fields }).contactId;

/** Lets the clock move on, so that two changes never share a millisecond and their order is theirs. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

/** The events as event, contact and state, for comparing sequences. */
const summary = (items: IDataObject[] | null) =>
	(items ?? []).map((item) => [item.event, item.contactId, item.contactStateName ?? item.stateName ?? null]);

describe('first poll', () => {
	it('marks the start at the tenant’s clock and reports nothing that happened before', async () => {
		addContact();
		const harness = trigger();
		expect(await harness.poll()).toBeNull();
		const cursors = harness.staticData.cursors as Record<string, string>;
		expect(Object.keys(cursors).sort()).toEqual([...ALL_EVENTS].sort());
		for (const cursor of Object.values(cursors)) expect(Date.now() - Date.parse(cursor)).toBeLessThan(60_000);
		expect(await harness.poll()).toBeNull();
	});
});

describe('contacts that start, change and end between polls', () => {
	it('reports each event exactly once, in the order it happened', async () => {
		const harness = await activated();
		const first = addContact();
		expect(summary(await harness.poll())).toEqual([
			['contactStarted', first, 'Active'],
			['contactStateChanged', first, 'Active'],
		]);
		await tick();
		sandbox.realApi.setContactState(first, 'Hold');
		await tick();
		const second = addContact();
		expect(summary(await harness.poll())).toEqual([
			['contactStateChanged', first, 'Hold'],
			['contactStarted', second, 'Active'],
			['contactStateChanged', second, 'Active'],
		]);
		sandbox.realApi.endContact(first);
		expect(summary(await harness.poll())).toEqual([
			['contactStateChanged', first, 'EndContact'],
			['contactEnded', first, null],
		]);
		const { statuses } = sandbox.stats;
		const before = { notModified: statuses[304] ?? 0, noContent: statuses[204] ?? 0 };
		expect(await harness.poll()).toBeNull();
		// Nothing new: Real-Time answers 304 (contacts/active and contacts/states), Reporting 204, all without a body.
		expect([sandbox.stats.statuses[304] - before.notModified, sandbox.stats.statuses[204] - before.noContent]).toEqual([2, 1]);
	});

	it('keeps each contact’s events in their order when the contact changes while a poll is between its reads', async () => {
		const harness = await activated();
		const ending = addContact();
		expect(await harness.poll()).toHaveLength(2);
		const started: Record<string, string> = {};
		harness.beforeRequest = (url) => {
			const endpoint = /contacts\/(active|states|completed)/.exec(url)?.[1];
			if (endpoint === undefined || started[endpoint] !== undefined) return;
			started[endpoint] = addContact();
			if (endpoint === 'states') sandbox.realApi.endContact(ending);
		};
		const reported = [...summary(await harness.poll())];
		harness.beforeRequest = undefined;
		reported.push(...summary(await harness.poll()));
		expect(await harness.poll()).toBeNull();

		const ofContact = (contactId: string) =>
			reported.filter(([, contact]) => contact === contactId).map(([event, , state]) => [event, state]);
		for (const contact of Object.values(started)) {
			expect(ofContact(contact)).toEqual([
				['contactStarted', 'Active'],
				['contactStateChanged', 'Active'],
			]);
		}
		expect(ofContact(ending)).toEqual([
			['contactStateChanged', 'EndContact'],
			['contactEnded', null],
		]);
	});

	it('reports what happened while n8n was stopped once, and nothing twice, after a restart', async () => {
		const before = await activated();
		const contact = addContact();
		expect(await before.poll()).toHaveLength(2);
		sandbox.realApi.endContact(contact);
		const after = before.restarted();
		expect(summary(await after.poll())).toEqual([
			['contactStateChanged', contact, 'EndContact'],
			['contactEnded', contact, null],
		]);
		expect(await after.poll()).toBeNull();
	});

	it('reports nothing twice when CXone sends rows again (updatedSince is inclusive)', async () => {
		const harness = await activated();
		const start = { ...(harness.staticData.cursors as Record<string, string>) };
		const contact = addContact();
		expect(await harness.poll()).toHaveLength(2);
		harness.staticData.cursors = start;
		expect(await harness.poll()).toBeNull();
		sandbox.realApi.endContact(contact);
		expect(summary(await harness.poll()).map(([event]) => event)).toEqual(['contactStateChanged', 'contactEnded']);
	});

	it('reads every page: 250 contacts started between two polls are 250 events, in order', async () => {
		const harness = await activated({ events: ['contactStarted'] });
		const ids = Array.from({ length: 250 }, () => addContact());
		const pagesBefore = sandbox.stats.acdCalls.contactsActive;
		const items = (await harness.poll()) ?? [];
		expect(sandbox.stats.acdCalls.contactsActive - pagesBefore).toBe(3);
		expect(items.map((item) => item.contactId).sort()).toEqual([...ids].sort());
		const times = items.map((item) => Date.parse(String(item.eventTime)));
		expect(times).toEqual([...times].sort((a, b) => a - b));
		expect(await harness.poll()).toBeNull();
	});

	it('reports only the chosen events', async () => {
		const harness = await activated({ events: ['contactEnded'] });
		const contact = addContact();
		expect(await harness.poll()).toBeNull();
		sandbox.realApi.setContactState(contact, 'Hold');
		sandbox.realApi.endContact(contact);
		expect(summary(await harness.poll())).toEqual([['contactEnded', contact, null]]);
	});

	it.each([
		['skill', 'skillId'],
		['campaign', 'campaignId'],
		['media type', 'mediaTypeId'],
	])('filters on the %s', async (_label, field) => {
		const wanted = 900_000 + Math.floor(Math.random() * 90_000);
		const harness = await activated({ filters: { agentId, [field]: wanted } });
		addContact();
		const match = addContact({ [field]: wanted });
		sandbox.realApi.endContact(match);
		const items = await harness.poll();
		expect(new Set(items?.map((item) => item.contactId))).toEqual(new Set([match]));
		expect(items?.every((item) => item[field] === wanted)).toBe(true);
	});
});

describe('Fetch Test Event', () => {
	it('returns the latest real event and leaves the cursors alone', async () => {
		const harness = trigger({ events: ['contactStarted'] });
		addContact();
		await tick();
		const latest = addContact();
		const items = await harness.poll('manual');
		expect(items).toEqual([expect.objectContaining({ event: 'contactStarted', contactId: latest, agentId })]);
		expect(harness.staticData).toEqual({});
	});

	it('says there are no contacts right now when there are none', async () => {
		const harness = trigger();
		await expect(harness.poll('manual')).rejects.toThrow(/No contacts right now/);
	});
});

describe('failures', () => {
	it('a poll that fails changes nothing: the next one reports the same events', async () => {
		const harness = await activated();
		const contact = addContact();
		const stored = JSON.parse(JSON.stringify(harness.staticData)) as unknown;
		sandbox.realApi.denyPermission('realTime');
		try {
			await expect(harness.poll()).rejects.toMatchObject({ httpCode: '403' });
		} finally {
			sandbox.realApi.allowPermission('realTime');
		}
		expect(harness.staticData).toEqual(stored);
		expect(summary(await harness.poll()).map(([event, id]) => [event, id])).toEqual([
			['contactStarted', contact],
			['contactStateChanged', contact],
		]);
	});

	it('names the credential field for a wrong key and changes nothing', async () => {
		const harness = new PollHarness(
			sandboxAccessKeyCredentialData(sandbox, { accessKeySecret: 'wrong-secret=' }),
			{ events: ['contactEnded'] },
		);
		await expect(harness.poll()).rejects.toMatchObject({ description: expect.stringMatching(/Access Key Secret/) });
		expect(harness.staticData).toEqual({});
	});

	it('refuses a negative filter before any call', async () => {
		const harness = trigger({ filters: { skillId: -1 } });
		await expect(harness.poll()).rejects.toThrow(/Filters: skillId must be a whole number/);
	});
});
