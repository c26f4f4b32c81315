/**
 * The sandbox's seeded ACD tenant data and its operations (spec §3 signal, §5.2 tags, §6 Business Data, §8, §10):
 * seed and control routes, permissions, faults including a lost answer, against a started sandbox over plain HTTP.
 */
import { describe, expect, it } from 'vitest';

import type { CxoneSandbox, SandboxOptions } from '../../sandbox/server';
import { acd, call, control, controlGet, withRealToken } from './realClient';
import { useSandbox } from './testClient';

const startSandbox = useSandbox();

const signalPath = (contactId: string, query = '') => `interactions/${contactId}/signal${query}`;

const businessData = (
	sandbox: CxoneSandbox,
	contactId: string,
	token: string | undefined,
	body: unknown,
	suffix = '',
) =>
	call(`${sandbox.url}/business-data-manager/v1/business-data/contact/${contactId}${suffix}`, {
		method: 'PUT',
		token,
		body,
	});

const started = async (options: SandboxOptions = {}) => withRealToken(await startSandbox(options));

describe('seeded tenant data and control routes', () => {
	it('seeds a live and a closed contact, a case, a customer, a field, a tag, a skill, a campaign and an agent', async () => {
		const { sandbox, seed } = await started();
		expect(seed.liveContactId).toMatch(/^\d{12}$/);
		expect(seed.closedContactId).toMatch(/^\d{12}$/);
		expect(seed.digitalCaseId).toMatch(/^\d{12}$/);
		expect(seed.customerId).toMatch(/^[0-9a-f-]{36}$/);
		const seedRoute = await controlGet(sandbox, 'seed');
		expect(seedRoute.body).toEqual(seed);
		const live = sandbox.realApi.contact(seed.liveContactId);
		expect(live).toMatchObject({ ended: false, stateName: 'Active', skillId: seed.skillId, agentId: seed.agentId });
		expect(live?.campaignId).toBe(seed.campaignId);
		const closed = (await controlGet(sandbox, `contacts/${seed.closedContactId}`)).body;
		expect(closed).toMatchObject({ contactId: seed.closedContactId, ended: true, stateName: 'EndContact' });
		expect(Date.parse(closed.endDate)).not.toBeNaN();
		const other = await startSandbox();
		expect(other.realApi.seed.liveContactId).not.toBe(seed.liveContactId);
	});

	it('adds a contact, changes its state and ends it through the control routes', async () => {
		const { sandbox } = await started();
		const added = await control(sandbox, 'contacts', { fromAddress: '+15550123456', agentId: 42 });
		expect(added.status).toBe(201);
		expect(added.body).toMatchObject({ fromAddress: '+15550123456', agentId: 42, ended: false, signals: [] });
		const id = added.body.contactId as string;
		const held = await control(sandbox, `contacts/${id}/state`, { stateName: 'Hold' });
		expect(held.body).toMatchObject({ stateName: 'Hold', stateId: 5 });
		expect(held.body.lastUpdateTime >= added.body.lastUpdateTime).toBe(true);
		expect((await control(sandbox, `contacts/${id}/state`, { stateName: 'Dancing' })).status).toBe(400);
		expect((await control(sandbox, `contacts/${id}/state`, {})).status).toBe(400);
		expect((await control(sandbox, `contacts/${id}/end`)).body).toMatchObject({ ended: true });
		expect((await control(sandbox, `contacts/${id}/end`)).status).toBe(400);
		expect((await control(sandbox, 'contacts/1/end')).status).toBe(404);
		expect((await controlGet(sandbox, 'contacts/1')).status).toBe(404);
		expect((await control(sandbox, 'contacts', { agentId: 'x' })).status).toBe(400);
		expect((await control(sandbox, 'contacts', { color: 'red' })).status).toBe(400);
		expect(() => sandbox.realApi.setContactState(id, 'Active')).toThrow(/already ended/);
	});

	it('refuses a malformed permissions body', async () => {
		const { sandbox } = await started();
		expect((await control(sandbox, 'permissions', { area: 'everything', allowed: false })).status).toBe(400);
		expect((await control(sandbox, 'permissions', { area: 'signal' })).status).toBe(400);
	});
});

describe('signal a contact (§3)', () => {
	it('answers 204 empty and records p1..p9, a JSON body merged into the query values', async () => {
		const { sandbox, token, seed } = await started();
		const plain = await acd(sandbox, signalPath(seed.liveContactId, '?p1=hello%20world&p2=2'), {
			token,
			method: 'POST',
		});
		expect([plain.status, plain.text]).toEqual([204, '']);
		const merged = await acd(sandbox, signalPath(seed.liveContactId, '?p1=first&p2=query'), {
			token,
			method: 'POST',
			body: { p2: 'body', p3: 3 },
		});
		expect(merged.status).toBe(204);
		const signals = sandbox.realApi.contact(seed.liveContactId)?.signals.map((signal) => signal.params);
		expect(signals).toEqual([
			{ p1: 'hello world', p2: '2' },
			{ p1: 'first', p2: 'body', p3: '3' },
		]);
		expect(sandbox.stats.acdCalls.signal).toBe(2);
	});

	it('refuses other parameter names, more than nine, a repeated one and a body that is not an object', async () => {
		const { sandbox, token, seed } = await started();
		const ten = `?${Array.from({ length: 10 }, (_, i) => `p${(i % 9) + 1}=${i}`).join('&')}`;
		for (const [query, body] of [
			['?p10=x'],
			['?x=1'],
			[ten],
			['?p1=a&p1=b'],
			['', '[1]'],
			['', '{"q":1}'],
			['', '{'],
		]) {
			const answer = await acd(sandbox, signalPath(seed.liveContactId, query), { token, method: 'POST', body });
			expect(answer.status, `${query} ${body}`).toBe(400);
			expect(answer.headers.icstatusdescription).toBeTruthy();
		}
		expect(sandbox.realApi.contact(seed.liveContactId)?.signals).toEqual([]);
	});

	it('answers 404 with icStatusDescription for an unknown and for an ended contact', async () => {
		const { sandbox, token, seed } = await started();
		for (const id of ['123456789012', seed.closedContactId]) {
			const answer = await acd(sandbox, signalPath(id, '?p1=x'), { token, method: 'POST' });
			expect(answer.status).toBe(404);
			expect(answer.headers.icstatusdescription).toMatch(/not an active contact/);
		}
	});

	it('has no effect without a JSON Accept, answers 401 without a live token and 403 when the permission is denied', async () => {
		const { sandbox, token, seed } = await started();
		const html = await acd(sandbox, signalPath(seed.liveContactId, '?p1=x'), { token, method: 'POST', accept: null });
		expect([html.status, html.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
		expect((await acd(sandbox, signalPath(seed.liveContactId), { method: 'POST' })).status).toBe(401);
		expect((await control(sandbox, 'permissions', { area: 'signal', allowed: false })).status).toBe(204);
		const denied = await acd(sandbox, signalPath(seed.liveContactId, '?p1=x'), { token, method: 'POST' });
		expect([denied.status, denied.headers.icstatusdescription]).toEqual([403, 'Permissions required']);
		expect(sandbox.realApi.contact(seed.liveContactId)?.signals).toEqual([]);
		sandbox.realApi.allowPermission('signal');
		expect((await acd(sandbox, signalPath(seed.liveContactId, '?p1=x'), { token, method: 'POST' })).status).toBe(204);
		expect(sandbox.stats.permissionRefusals).toBe(1);
	});

	it('never loses a signal sent after the previous answer; merges signals fired in parallel (§3)', async () => {
		const { sandbox, token, seed } = await started({ signalProcessingMs: 50 });
		for (let i = 1; i <= 3; i++) {
			const answer = await acd(sandbox, signalPath(seed.liveContactId, `?p1=${i}`), { token, method: 'POST' });
			expect(answer.status).toBe(204);
		}
		expect(sandbox.realApi.contact(seed.liveContactId)?.signals).toHaveLength(3);
		const parallel = await Promise.all(
			[4, 5, 6].map((i) => acd(sandbox, signalPath(seed.liveContactId, `?p1=${i}`), { token, method: 'POST' })),
		);
		expect(parallel.map((answer) => answer.status)).toEqual([204, 204, 204]);
		const contact = sandbox.realApi.contact(seed.liveContactId);
		expect(contact?.signals).toHaveLength(4);
		expect(contact?.mergedSignals).toBe(2);
		expect(sandbox.stats.mergedSignals).toBe(2);
	});

	it('shares the strict-window tenant limit: 429 without Retry-After, and the signal is not recorded', async () => {
		const { sandbox, token, seed } = await started({ rateLimitPerSecond: 1, rateLimitMode: 'strictWindow' });
		const answers = await Promise.all(
			[1, 2].map((i) => acd(sandbox, signalPath(seed.liveContactId, `?p1=${i}`), { token, method: 'POST' })),
		);
		expect(answers.map((answer) => answer.status).sort()).toEqual([204, 429]);
		const refused = answers.find((answer) => answer.status === 429);
		expect(refused?.headers['retry-after']).toBeUndefined();
		expect(sandbox.realApi.contact(seed.liveContactId)?.signals).toHaveLength(1);
	});
});

describe('tags (§5.2)', () => {
	it('tags a contact: errorCount "0" as a string; unknown and inactive tags reported, valid ones applied', async () => {
		const { sandbox, token, seed } = await started();
		const ok = await acd(sandbox, `contacts/${seed.liveContactId}/tags`, {
			token,
			method: 'POST',
			path: `/inContactAPI/services/v23.0/contacts/${seed.liveContactId}/tags`,
			body: { tags: [{ tagId: seed.tagId }] },
		});
		expect(ok.status).toBe(200);
		expect(ok.body.resultSet.errorCount).toBe('0');
		const list = (await acd(sandbox, 'tags', { token })).body.tags as Array<{ tagId: number; isActive: boolean }>;
		const inactive = list.find((tag) => !tag.isActive)?.tagId;
		const spare = list.find((tag) => tag.isActive && tag.tagId !== seed.tagId)?.tagId;
		const mixed = await acd(sandbox, `contacts/${seed.closedContactId}/tags`, {
			token,
			method: 'POST',
			body: { tags: [{ tagId: spare }, { tagId: 1 }, { tagId: inactive }] },
		});
		expect(mixed.status).toBe(200);
		expect(mixed.body.resultSet.errorCount).toBe('2');
		expect(mixed.body.resultSet.tagResults).toMatchObject([
			{ tagId: String(spare), success: 'true' },
			{ tagId: '1', success: 'false', error: expect.stringMatching(/does not exist/) },
			{ tagId: String(inactive), success: 'false', error: expect.stringMatching(/inactive/) },
		]);
		expect(sandbox.realApi.contact(seed.liveContactId)?.tags).toEqual([seed.tagId]);
		expect(sandbox.realApi.contact(seed.closedContactId)?.tags).toEqual([spare]);
		expect(sandbox.stats.acdCalls.tags).toBe(2);
	});

	it('answers 404 for an unknown contact, 400 for a malformed body, 401, the Accept rule and 403 when denied', async () => {
		const { sandbox, token, seed } = await started();
		const tag = (id: string, body: unknown) => acd(sandbox, `contacts/${id}/tags`, { token, method: 'POST', body });
		expect((await tag('123456789012', { tags: [{ tagId: seed.tagId }] })).status).toBe(404);
		const valid = { tags: [{ tagId: seed.tagId }] };
		const path = `contacts/${seed.liveContactId}/tags`;
		expect((await acd(sandbox, path, { method: 'POST', body: valid })).status).toBe(401);
		const html = await acd(sandbox, path, { token, method: 'POST', body: valid, accept: 'text/plain' });
		expect([html.status, html.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
		for (const body of ['{', { tags: [] }, { tags: [{ id: 1 }] }, { tag: seed.tagId }]) {
			expect((await tag(seed.liveContactId, body)).status).toBe(400);
		}
		sandbox.realApi.denyPermission('tags');
		expect((await tag(seed.liveContactId, { tags: [{ tagId: seed.tagId }] })).status).toBe(403);
		expect(sandbox.realApi.contact(seed.liveContactId)?.tags).toEqual([]);
	});

	it('lists the tenant tags and a skill’s tags for a picker, three or more with one inactive', async () => {
		const { sandbox, token, seed } = await started();
		const all = await acd(sandbox, 'tags', { token });
		expect(all.status).toBe(200);
		expect(all.body.tags.length).toBeGreaterThanOrEqual(3);
		expect(all.body.tags.filter((tag: { isActive: boolean }) => !tag.isActive)).toHaveLength(1);
		expect(all.body.tags[0]).toEqual({
			tagId: seed.tagId,
			tagName: expect.any(String),
			isActive: true,
			notes: expect.any(String),
		});
		const skill = await acd(sandbox, `skills/${seed.skillId}/tags`, { token });
		expect(skill.body).toMatchObject({
			totalRecords: all.body.tags.length,
			_links: { self: expect.stringContaining(`/skills/${seed.skillId}/tags`) },
			resultSet: { skillId: String(seed.skillId), tags: all.body.tags },
		});
		expect((await acd(sandbox, 'skills/1/tags', { token })).status).toBe(404);
		expect(sandbox.stats.acdCalls).toMatchObject({ tagsList: 1, skillTags: 2 });
	});
});

describe('Business Data API (§6)', () => {
	it('updates a closed contact and a segment of it with typed values: 204 empty', async () => {
		const { sandbox, token, seed } = await started();
		const body = [{ [seed.businessDataField]: 'A-1' }, { order_total: 12.5 }, { callback_requested: true }];
		const answer = await businessData(sandbox, seed.closedContactId, token, body);
		expect([answer.status, answer.text]).toEqual([204, '']);
		const segment = await businessData(sandbox, seed.closedContactId, token, [{ order_total: 3 }], '/segment/7');
		expect(segment.status).toBe(204);
		expect(sandbox.realApi.contact(seed.closedContactId)).toMatchObject({
			businessData: { [seed.businessDataField]: 'A-1', order_total: 12.5, callback_requested: true },
			segments: { '7': { order_total: 3 } },
		});
		expect(sandbox.stats.businessDataCalls).toBe(2);
	});

	it('refuses new fields, wrong types and malformed bodies with 400 {message}, changing nothing', async () => {
		const { sandbox, token, seed } = await started();
		const refusals: Array<[unknown, RegExp]> = [
			[[{ [seed.businessDataField]: 'ok' }, { brand_new: 'x' }], /cannot add new business data fields/],
			[[{ order_total: '12' }], /order_total takes a number/],
			[[{ a: 1, b: 2 }], /single-key objects/],
			[{ order_total: 1 }, /single-key objects/],
			[[], /single-key objects/],
			['[{', /not valid JSON/],
		];
		for (const [body, message] of refusals) {
			const answer = await businessData(sandbox, seed.closedContactId, token, body);
			expect(answer.status).toBe(400);
			expect(answer.body.message).toMatch(message);
		}
		expect(sandbox.realApi.contact(seed.closedContactId)?.businessData).toEqual({});
	});

	it('answers 404 "Requested contact was not found" for an unknown and for a live contact', async () => {
		const { sandbox, token, seed } = await started();
		for (const id of ['123456789012', seed.liveContactId]) {
			const answer = await businessData(sandbox, id, token, [{ order_total: 1 }]);
			expect([answer.status, answer.body]).toEqual([404, { message: 'Requested contact was not found' }]);
		}
	});

	it('checks the bearer token, the permission, the tenant limit and the optional one-call-per-interval limit', async () => {
		const { sandbox, token, seed } = await started({ businessDataMinIntervalMs: 60_000 });
		const body = [{ order_total: 1 }];
		expect((await businessData(sandbox, seed.closedContactId, undefined, body)).status).toBe(401);
		sandbox.realApi.denyPermission('businessData');
		const denied = await businessData(sandbox, seed.closedContactId, token, body);
		expect([denied.status, denied.body]).toEqual([403, { message: 'Permissions required' }]);
		sandbox.realApi.allowPermission('businessData');
		expect((await businessData(sandbox, seed.closedContactId, token, body)).status).toBe(204);
		const soon = await businessData(sandbox, seed.closedContactId, token, body);
		expect([soon.status, soon.headers['retry-after']]).toEqual([429, undefined]);
		sandbox.setRateLimit(1, 'strictWindow');
		const limited = await Promise.all([1, 2].map(() => businessData(sandbox, seed.closedContactId, token, body)));
		expect(limited.map((answer) => answer.status)).toContain(429);
	});

	it('has no Accept rule: no Accept header still gets 204; other methods and paths get JSON errors', async () => {
		const { sandbox, token, seed } = await started();
		const noAccept = await call(
			`${sandbox.url}/business-data-manager/v1/business-data/contact/${seed.closedContactId}`,
			{
				method: 'PUT',
				token,
				accept: null,
				body: [{ order_total: 1 }],
			},
		);
		expect(noAccept.status).toBe(204);
		const get = await call(`${sandbox.url}/business-data-manager/v1/business-data/contact/${seed.closedContactId}`, {
			token,
		});
		expect([get.status, get.headers.allow]).toEqual([405, 'PUT']);
		expect((await call(`${sandbox.url}/business-data-manager/v2/other`, { token })).body.message).toMatch(
			/No Business Data/,
		);
	});
});

describe('faults on the new routes', () => {
	it('injects a status in each service’s format, and "drop" applies the request but sends no answer', async () => {
		const { sandbox, token, seed } = await started();
		expect((await control(sandbox, 'real-faults', { route: 'businessData', status: 503 })).status).toBe(204);
		const injected = await businessData(sandbox, seed.closedContactId, token, [{ order_total: 9 }]);
		expect([injected.status, injected.body]).toEqual([503, { message: 'Injected 503' }]);
		expect(sandbox.realApi.contact(seed.closedContactId)?.businessData).toEqual({});

		expect((await control(sandbox, 'real-faults', { route: 'acd', status: 'drop' })).status).toBe(204);
		await expect(acd(sandbox, signalPath(seed.liveContactId, '?p1=lost'), { token, method: 'POST' })).rejects.toThrow(
			/socket hang up|ECONNRESET/,
		);
		expect(sandbox.realApi.contact(seed.liveContactId)?.signals.map((signal) => signal.params)).toEqual([
			{ p1: 'lost' },
		]);

		await control(sandbox, 'real-faults', { route: 'businessData', status: 'drop' });
		await expect(businessData(sandbox, seed.closedContactId, token, [{ order_total: 9 }])).rejects.toThrow();
		expect(sandbox.realApi.contact(seed.closedContactId)?.businessData).toEqual({ order_total: 9 });
		expect(sandbox.stats.faultsInjected).toBe(3);
		expect((await control(sandbox, 'real-faults', { route: 'acd', status: 'vanish' })).status).toBe(400);
	});
});
