/**
 * The sandbox's Digital (DFO) custom fields (spec §4): definitions, case and customer records, atomic PUTs with
 * DFO's {errors:[{field, message}]}, removal, the per-case "Update specific contact" quota, permissions and faults.
 */
import { describe, expect, it } from 'vitest';

import type { SandboxOptions } from '../../sandbox/server';

import { control, controlGet, dfo, withRealToken } from './realClient';
import { useSandbox } from './testClient';

const startSandbox = useSandbox();

const started = async (options: SandboxOptions = {}) => withRealToken(await startSandbox(options));

describe('custom-field definitions', () => {
	it('lists case definitions in the generated shape: text, email, list with {name, value}, date, a read-only one', async () => {
		const { sandbox, token } = await started();
		const answer = await dfo(sandbox, 'contacts/custom-field-definitions', { token });
		expect(answer.status).toBe(200);
		const types = answer.body.map((definition: { type: string }) => definition.type);
		expect(types).toEqual(expect.arrayContaining(['text', 'email', 'list', 'date']));
		for (const definition of answer.body) {
			expect(definition).toMatchObject({
				ident: expect.any(String),
				label: expect.any(String),
				required: expect.any(Boolean),
				isEditable: expect.any(Boolean),
			});
		}
		const list = answer.body.find((definition: { type: string }) => definition.type === 'list');
		expect(list.values[0]).toEqual({ name: expect.any(String), value: expect.any(String) });
		expect(answer.body.some((definition: { isEditable: boolean }) => !definition.isEditable)).toBe(true);
	});

	it('lists customer definitions with isRequired and the visibility flags', async () => {
		const { sandbox, token } = await started();
		const answer = await dfo(sandbox, 'customers/custom-field-definitions', { token });
		expect(answer.status).toBe(200);
		for (const definition of answer.body) {
			expect(Object.keys(definition)).toEqual(
				expect.arrayContaining([
					'ident',
					'label',
					'type',
					'isRequired',
					'isEditable',
					'isVisibleInRightPanel',
					'isVisibleInCustomerCard',
				]),
			);
		}
		expect(answer.body.map((definition: { type: string }) => definition.type)).toEqual(
			expect.arrayContaining(['text', 'email', 'list']),
		);
		expect(sandbox.stats.digitalRoutes).toMatchObject({ customerFieldDefinitions: 1 });
	});
});

describe('case custom fields', () => {
	it('sets fields atomically, keeps the ones left out, and shows them on the case and in the control route', async () => {
		const { sandbox, token, seed } = await started();
		const path = `contacts/${seed.digitalCaseId}/custom-fields`;
		const first = await dfo(sandbox, path, { token, method: 'PUT', body: [{ ident: 'orderNumber', value: 'A-17' }] });
		expect(first.status).toBe(200);
		const second = await dfo(sandbox, path, {
			token,
			method: 'PUT',
			body: [
				{ ident: 'priority', value: 'high' },
				{ ident: 'contactEmail', value: 'dana@example.com' },
				{ ident: 'followUpDate', value: '2030-01-31' },
			],
		});
		expect(second.status).toBe(200);
		const record = await dfo(sandbox, `contacts/${seed.digitalCaseId}`, { token });
		expect(record.body).toMatchObject({
			id: seed.digitalCaseId,
			contactId: expect.any(String),
			interactionId: expect.any(String),
			status: 'open',
			routingQueueId: expect.any(String),
			endUser: { id: seed.customerId, customFields: expect.any(Array) },
		});
		const values = Object.fromEntries(
			record.body.customFields.map((field: { ident: string; value: string }) => [field.ident, field.value]),
		);
		expect(values).toMatchObject({
			orderNumber: 'A-17',
			priority: 'high',
			contactEmail: 'dana@example.com',
			followUpDate: '2030-01-31',
		});
		expect(Date.parse(record.body.customFields[0].updatedAt)).not.toBeNaN();
		expect((await controlGet(sandbox, `digital/cases/${seed.digitalCaseId}`)).body).toEqual(record.body);
		expect(sandbox.realApi.digitalCase(seed.digitalCaseId)).toEqual(record.body);
	});

	it('refuses the whole body with 400 {errors:[{field, message}]} for any bad item', async () => {
		const { sandbox, token, seed } = await started();
		const path = `contacts/${seed.digitalCaseId}/custom-fields`;
		const good = { ident: 'orderNumber', value: 'kept out' };
		const bad: Array<[unknown, string, RegExp]> = [
			[{ ident: 'nope', value: 'x' }, 'nope', /No custom field nope/],
			[{ ident: 'priority', value: 'urgent' }, 'priority', /takes one of low, normal, high/],
			[{ ident: 'contactEmail', value: 'not-an-email' }, 'contactEmail', /email address/],
			[{ ident: 'channelSource', value: 'x' }, 'channelSource', /not editable/],
			[{ ident: 'orderNumber', value: 5 }, 'orderNumber', /must be a string/],
			[{ ident: 'followUpDate', value: 'tomorrow' }, 'followUpDate', /ISO 8601 date/],
			[{ value: 'x' }, '[1].ident', /ident must be a string/],
		];
		for (const [item, field, message] of bad) {
			const answer = await dfo(sandbox, path, { token, method: 'PUT', body: [good, item] });
			expect(answer.status, JSON.stringify(item)).toBe(400);
			expect(answer.body.errors).toEqual([{ field, message: expect.stringMatching(message) }]);
		}
		expect((await dfo(sandbox, path, { token, method: 'PUT', body: { ident: 'orderNumber' } })).status).toBe(400);
		expect((await dfo(sandbox, path, { token, method: 'PUT', body: '[' })).status).toBe(400);
		const fields = sandbox.realApi.digitalCase(seed.digitalCaseId)?.customFields.map((field) => field.ident);
		expect(fields).toEqual(['channelSource']);
	});

	it('removes one field with 204; refuses an undefined or read-only one; 404 for an unknown case', async () => {
		const { sandbox, token, seed } = await started();
		await dfo(sandbox, `contacts/${seed.digitalCaseId}/custom-fields`, {
			token,
			method: 'PUT',
			body: [{ ident: 'orderNumber', value: 'A-1' }],
		});
		const removed = await dfo(sandbox, `contacts/${seed.digitalCaseId}/custom-fields/orderNumber`, {
			token,
			method: 'DELETE',
		});
		expect([removed.status, removed.text]).toEqual([204, '']);
		expect(sandbox.realApi.digitalCase(seed.digitalCaseId)?.customFields.map((field) => field.ident)).toEqual([
			'channelSource',
		]);
		const readOnly = await dfo(sandbox, `contacts/${seed.digitalCaseId}/custom-fields/channelSource`, {
			token,
			method: 'DELETE',
		});
		expect([readOnly.status, readOnly.body.errors[0].field]).toEqual([400, 'channelSource']);
		expect(
			(await dfo(sandbox, `contacts/${seed.digitalCaseId}/custom-fields/nope`, { token, method: 'DELETE' })).status,
		).toBe(400);
		for (const [method, path] of [
			['GET', 'contacts/999'],
			['PUT', 'contacts/999/custom-fields'],
			['DELETE', 'contacts/999/custom-fields/orderNumber'],
		]) {
			const answer = await dfo(sandbox, path, { token, method, body: method === 'PUT' ? [] : undefined });
			expect(answer.status).toBe(404);
			expect(answer.body.errors[0].message).toMatch(/No Digital case 999/);
		}
		expect((await controlGet(sandbox, 'digital/cases/999')).status).toBe(404);
	});

	it('throttles updates of one case by its quota with 429 {errors} and no Retry-After; other cases are not affected', async () => {
		const { sandbox, token, seed } = await started({ digitalCaseUpdateBurst: 3, digitalCaseUpdateRefillPerMinute: 17 });
		const update = (caseId: string) =>
			dfo(sandbox, `contacts/${caseId}/custom-fields`, {
				token,
				method: 'PUT',
				body: [{ ident: 'orderNumber', value: 'x' }],
			});
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await update(seed.digitalCaseId)).status);
		expect(statuses).toEqual([200, 200, 200, 429]);
		const refused = await update(seed.digitalCaseId);
		expect([refused.status, refused.headers['retry-after']]).toEqual([429, undefined]);
		expect(refused.body.errors[0].message).toMatch(/Update specific contact/);
		expect((await dfo(sandbox, `contacts/${seed.digitalCaseId}`, { token })).status).toBe(200);
		expect((await update('999')).status).toBe(404);
		expect(sandbox.stats.digitalThrottled).toBe(2);
	});

	it('allows 250 updates of one case at once by default, then throttles', async () => {
		const { sandbox, token, seed } = await started();
		const remove = () =>
			dfo(sandbox, `contacts/${seed.digitalCaseId}/custom-fields/orderNumber`, { token, method: 'DELETE' });
		let accepted = 0;
		for (let i = 0; i < 251 && (await remove()).status === 204; i++) accepted++;
		expect(accepted).toBe(250);
		expect((await remove()).status).toBe(429);
	});
});

describe('customer custom fields', () => {
	it('sets, reads and removes customer fields; GET /customers/{id} has the generated customer shape', async () => {
		const { sandbox, token, seed } = await started();
		const put = await dfo(sandbox, `customers/${seed.customerId}/custom-fields`, {
			token,
			method: 'PUT',
			body: [
				{ ident: 'loyaltyTier', value: 'gold' },
				{ ident: 'crmId', value: 'C-9' },
			],
		});
		expect(put.status).toBe(200);
		const customer = await dfo(sandbox, `customers/${seed.customerId}`, { token });
		expect(customer.body).toMatchObject({
			id: seed.customerId,
			updatedAt: expect.any(String),
			identities: [expect.objectContaining({ idOnExternalPlatform: expect.any(String) })],
			messageStatistics: expect.any(Object),
		});
		const values = Object.fromEntries(
			customer.body.customFields.map((field: { ident: string; value: string }) => [field.ident, field.value]),
		);
		expect(values).toMatchObject({ loyaltyTier: 'gold', crmId: 'C-9' });
		expect((await dfo(sandbox, `contacts/${seed.digitalCaseId}`, { token })).body.endUser.customFields).toEqual(
			customer.body.customFields,
		);
		const removed = await dfo(sandbox, `customers/${seed.customerId}/custom-fields/crmId`, { token, method: 'DELETE' });
		expect(removed.status).toBe(204);
		expect(sandbox.realApi.digitalCustomer(seed.customerId)?.customFields.map((field) => field.ident)).not.toContain(
			'crmId',
		);
		expect((await controlGet(sandbox, `digital/customers/${seed.customerId}`)).body.id).toBe(seed.customerId);
		const badTier = await dfo(sandbox, `customers/${seed.customerId}/custom-fields`, {
			token,
			method: 'PUT',
			body: [{ ident: 'loyaltyTier', value: 'platinum' }],
		});
		expect([badTier.status, badTier.body.errors[0].field]).toEqual([400, 'loyaltyTier']);
		expect((await dfo(sandbox, 'customers/nobody', { token })).status).toBe(404);
	});
});

describe('Digital access, permissions and faults', () => {
	it('needs a live bearer token; a denied digital permission answers 403 {errors}', async () => {
		const { sandbox, token, seed } = await started();
		expect((await dfo(sandbox, 'contacts/custom-field-definitions')).status).toBe(401);
		expect((await dfo(sandbox, 'contacts/custom-field-definitions', { token: 'forged' })).status).toBe(401);
		expect((await control(sandbox, 'permissions', { area: 'digital', allowed: false })).status).toBe(204);
		const denied = await dfo(sandbox, `contacts/${seed.digitalCaseId}`, { token });
		expect([denied.status, denied.body]).toEqual([403, { errors: [{ message: 'Permissions required' }] }]);
		await control(sandbox, 'permissions', { area: 'digital', allowed: true });
		expect((await dfo(sandbox, `contacts/${seed.digitalCaseId}`, { token })).status).toBe(200);
		const wrongMethod = await dfo(sandbox, `contacts/${seed.digitalCaseId}`, { token, method: 'PATCH' });
		expect(wrongMethod.status).toBe(405);
	});

	it('is not subject to the tenant limit of the ACD and Business Data APIs', async () => {
		const { sandbox, token } = await started({ rateLimitPerSecond: 1, rateLimitMode: 'strictWindow' });
		const answers = await Promise.all(
			[1, 2, 3].map(() => dfo(sandbox, 'contacts/custom-field-definitions', { token })),
		);
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
		expect(sandbox.stats.rateLimited).toBe(0);
	});

	it('injects a status, and "drop" applies the update but sends no answer', async () => {
		const { sandbox, token, seed } = await started();
		await control(sandbox, 'real-faults', { route: 'digital', status: 502 });
		const injected = await dfo(sandbox, 'contacts/custom-field-definitions', { token });
		expect([injected.status, injected.body]).toEqual([502, { errors: [{ message: 'Injected 502' }] }]);
		await control(sandbox, 'real-faults', { route: 'digital', status: 'drop' });
		const body = [{ ident: 'orderNumber', value: 'lost answer' }];
		await expect(
			dfo(sandbox, `contacts/${seed.digitalCaseId}/custom-fields`, { token, method: 'PUT', body }),
		).rejects.toThrow();
		const fields = sandbox.realApi.digitalCase(seed.digitalCaseId)?.customFields;
		expect(fields?.find((field) => field.ident === 'orderNumber')?.value).toBe('lost answer');
	});
});
