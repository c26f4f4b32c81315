/**
 * The sandbox's polling endpoints (spec §7): Real-Time contacts/active and contacts/states, Reporting
 * contacts/completed, with updatedSince deltas, lastPollTime, 304 / 204, top/skip paging, filters and permissions.
 */
import { describe, expect, it } from 'vitest';

import type { CxoneSandbox, SandboxOptions } from '../../sandbox/server';
import { acd, call, withRealToken } from './realClient';
import { useSandbox } from './testClient';

const startSandbox = useSandbox();

const started = async (options: SandboxOptions = {}) => withRealToken(await startSandbox(options));

const poll = (sandbox: CxoneSandbox, token: string, resource: string, query: Record<string, string | number> = {}) => {
	const search = new URLSearchParams(
		Object.entries(query).map(([name, value]): [string, string] => [name, String(value)]),
	);
	return acd(sandbox, `${resource}${search.size > 0 ? `?${search}` : ''}`, { token });
};

const ids = (rows: Array<{ contactId: string }>) => rows.map((row) => row.contactId).sort();

/** Resolves once the clock has moved past `iso`, so a later change gets a later lastUpdateTime. */
async function after(iso: string): Promise<void> {
	const deadline = Date.now() + 1000;
	while (Date.now() <= Date.parse(iso) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('Real-Time contacts/active', () => {
	it('lists the live contacts with lastPollTime, businessUnitId, totalRecords, _links and the §7 fields', async () => {
		const { sandbox, token, seed } = await started();
		const before = Date.now();
		const answer = await poll(sandbox, token, 'contacts/active');
		expect(answer.status).toBe(200);
		expect(Date.parse(answer.body.lastPollTime)).toBeGreaterThanOrEqual(before - 1);
		expect(answer.body).toMatchObject({
			totalRecords: 1,
			businessUnitId: sandbox.realApi.tenant.businessUnitId,
			_links: { self: expect.stringContaining('/contacts/active') },
		});
		expect(answer.body._links.next).toBeUndefined();
		const [row] = answer.body.activeContacts;
		expect(row).toMatchObject({
			contactId: seed.liveContactId,
			masterContactId: seed.liveContactId,
			skillId: seed.skillId,
			campaignId: seed.campaignId,
			agentId: seed.agentId,
			stateName: 'Active',
			mediaTypeName: 'Phone Call',
		});
		for (const field of [
			'skillName',
			'teamId',
			'mediaTypeId',
			'stateId',
			'fromAddress',
			'toAddress',
			'contactStartDate',
			'lastUpdateTime',
		]) {
			expect(row).toHaveProperty(field);
		}
	});

	it('answers deltas from updatedSince = lastPollTime: 304 empty when nothing changed, then only what changed', async () => {
		const { sandbox, token, seed } = await started();
		const first = await poll(sandbox, token, 'contacts/active');
		await after(first.body.lastPollTime);
		const quiet = await poll(sandbox, token, 'contacts/active', { updatedSince: first.body.lastPollTime });
		expect([quiet.status, quiet.text]).toEqual([304, '']);
		const added = sandbox.realApi.addContact();
		const changes = await poll(sandbox, token, 'contacts/active', { updatedSince: first.body.lastPollTime });
		expect(changes.status).toBe(200);
		expect(ids(changes.body.activeContacts)).toEqual([added.contactId]);
		await after(changes.body.lastPollTime);
		sandbox.realApi.setContactState(seed.liveContactId, 'Hold');
		const held = await poll(sandbox, token, 'contacts/active', { updatedSince: changes.body.lastPollTime });
		expect(held.body.activeContacts).toMatchObject([{ contactId: seed.liveContactId, stateName: 'Hold' }]);
		sandbox.realApi.endContact(added.contactId);
		expect(ids((await poll(sandbox, token, 'contacts/active')).body.activeContacts)).toEqual([seed.liveContactId]);
	});

	it('treats updatedSince as inclusive: a contact updated at exactly that instant is listed', async () => {
		const { sandbox, token, seed } = await started();
		const live = sandbox.realApi.contact(seed.liveContactId);
		const answer = await poll(sandbox, token, 'contacts/active', { updatedSince: live?.lastUpdateTime ?? '' });
		expect(ids(answer.body.activeContacts)).toEqual([seed.liveContactId]);
	});

	it('pages with top and skip: totalRecords counts all, _links.next leads to the next page until the last', async () => {
		const { sandbox, token } = await started();
		for (let i = 0; i < 4; i++) sandbox.realApi.addContact();
		const seen: string[] = [];
		let answer = await poll(sandbox, token, 'contacts/active', { top: 2 });
		for (let page = 0; page < 5; page++) {
			expect(answer.body.totalRecords).toBe(5);
			seen.push(...answer.body.activeContacts.map((row: { contactId: string }) => row.contactId));
			if (!answer.body._links.next) break;
			answer = await call(answer.body._links.next, { token });
		}
		expect(seen).toHaveLength(5);
		expect(new Set(seen).size).toBe(5);
		expect(answer.body.activeContacts).toHaveLength(1);
		expect(answer.body._links.previous).toContain('skip=2');
	});

	it('filters by skillId, campaignId, mediaTypeId and agentId; refuses malformed values with 400', async () => {
		const { sandbox, token, seed } = await started();
		const other = sandbox.realApi.addContact({ agentId: 77, campaignId: 5 });
		const rows = async (query: Record<string, string | number>) =>
			ids((await poll(sandbox, token, 'contacts/active', query)).body?.activeContacts ?? []);
		expect(await rows({ agentId: 77 })).toEqual([other.contactId]);
		expect(await rows({ campaignId: seed.campaignId })).toEqual([seed.liveContactId]);
		expect(await rows({ skillId: seed.skillId })).toEqual(ids([other, { contactId: seed.liveContactId }]));
		expect(await rows({ mediaTypeId: 3 })).toEqual([]);
		const malformed: Array<Record<string, string | number>> = [
			{ agentId: 'x' },
			{ updatedSince: 'yesterday' },
			{ top: 10_001 },
			{ skip: -1 },
		];
		for (const query of malformed) {
			const answer = await poll(sandbox, token, 'contacts/active', query);
			expect(answer.status, JSON.stringify(query)).toBe(400);
			expect(answer.headers.icstatusdescription).toBeTruthy();
		}
	});
});

describe('Real-Time contacts/states', () => {
	it('lists every contact’s current state, an ended one as EndContact, with 304 for no change', async () => {
		const { sandbox, token, seed } = await started();
		const answer = await poll(sandbox, token, 'contacts/states');
		expect(answer.status).toBe(200);
		const byId = Object.fromEntries(
			answer.body.contactStates.map((row: { contactId: string }) => [row.contactId, row]),
		);
		expect(byId[seed.liveContactId]).toMatchObject({
			contactStateName: 'Active',
			agentId: seed.agentId,
			startDate: expect.any(String),
		});
		expect(byId[seed.closedContactId]).toMatchObject({ contactStateName: 'EndContact' });
		await after(answer.body.lastPollTime);
		expect((await poll(sandbox, token, 'contacts/states', { updatedSince: answer.body.lastPollTime })).status).toBe(
			304,
		);
		expect((await poll(sandbox, token, 'contacts/states', { agentId: 1 })).body.contactStates).toEqual([]);
	});
});

describe('Reporting contacts/completed', () => {
	const window = () => ({
		startDate: new Date(Date.now() - 3_600_000).toISOString(),
		endDate: new Date(Date.now() + 60_000).toISOString(),
	});

	it('needs startDate and endDate; lists ended contacts of that window with the completed fields', async () => {
		const { sandbox, token, seed } = await started();
		expect((await poll(sandbox, token, 'contacts/completed')).status).toBe(400);
		expect((await poll(sandbox, token, 'contacts/completed', { startDate: window().startDate })).status).toBe(400);
		const answer = await poll(sandbox, token, 'contacts/completed', window());
		expect(answer.status).toBe(200);
		expect(answer.body).toMatchObject({ totalRecords: 1, lastPollTime: expect.any(String) });
		expect(answer.body.completedContacts[0]).toMatchObject({
			contactId: seed.closedContactId,
			contactStart: expect.any(String),
			fromAddr: expect.any(String),
			toAddr: expect.any(String),
			totalDurationSeconds: expect.any(Number),
			abandoned: false,
			lastUpdateTime: expect.any(String),
		});
	});

	it('answers 204 without rows: a window before any contact, or nothing ended since updatedSince', async () => {
		const { sandbox, token, seed } = await started();
		const old = { startDate: '2020-01-01T00:00:00Z', endDate: '2020-01-02T00:00:00Z' };
		const empty = await poll(sandbox, token, 'contacts/completed', old);
		expect([empty.status, empty.text]).toEqual([204, '']);
		const first = await poll(sandbox, token, 'contacts/completed', window());
		await after(first.body.lastPollTime);
		expect(
			(await poll(sandbox, token, 'contacts/completed', { ...window(), updatedSince: first.body.lastPollTime })).status,
		).toBe(204);
		sandbox.realApi.endContact(seed.liveContactId);
		const next = await poll(sandbox, token, 'contacts/completed', {
			...window(),
			updatedSince: first.body.lastPollTime,
		});
		expect(ids(next.body.completedContacts)).toEqual([seed.liveContactId]);
		expect((await poll(sandbox, token, 'contacts/completed', { ...window(), skillId: 1 })).status).toBe(204);
	});
});

describe('polling access', () => {
	it('applies the Accept rule, the bearer check and the realTime / reporting permissions', async () => {
		const { sandbox, token } = await started();
		const html = await acd(sandbox, 'contacts/active', { token, accept: null });
		expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
		expect((await acd(sandbox, 'contacts/active')).status).toBe(401);
		sandbox.realApi.denyPermission('realTime');
		expect((await poll(sandbox, token, 'contacts/active')).status).toBe(403);
		expect((await poll(sandbox, token, 'contacts/states')).status).toBe(403);
		const completed = await poll(sandbox, token, 'contacts/completed', {
			startDate: '2020-01-01',
			endDate: '2100-01-01',
		});
		expect(completed.status).toBe(200);
		sandbox.realApi.denyPermission('reporting');
		const denied = await poll(sandbox, token, 'contacts/completed', { startDate: '2020-01-01', endDate: '2100-01-01' });
		expect([denied.status, denied.headers.icstatusdescription]).toEqual([403, 'Permissions required']);
		expect(sandbox.stats.acdCalls).toMatchObject({ contactsActive: 3, contactsStates: 1, contactsCompleted: 2 });
	});

	it('shares the strict-window tenant limit: 429 with icStatusDescription and no Retry-After', async () => {
		const { sandbox, token } = await started({ rateLimitPerSecond: 1, rateLimitMode: 'strictWindow' });
		const answers = await Promise.all([1, 2].map(() => poll(sandbox, token, 'contacts/active')));
		expect(answers.map((answer) => answer.status).sort()).toEqual([200, 429]);
		const refused = answers.find((answer) => answer.status === 429);
		expect(refused?.headers['retry-after']).toBeUndefined();
		expect(refused?.headers.icstatusdescription).toMatch(/More than 1/);
	});
});
