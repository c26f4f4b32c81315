/**
 * The real-tenant operations' benchmark items, credentials and nodes: NICE CXone → Signal and → Digital Case → Set
 * Custom Fields on the Access Key credential, and n8n's HTTP Request node making the same calls with the same
 * credential type. Each pair evaluates the same expressions per item: the target's ID and the values sent.
 */
import { DFO_PATH, SIGNAL_PATH } from '../nodes/NiceCxone/constants';
import { sandboxAccessKeyCredentialData } from '../sandbox/credential';
import type { CxoneSandbox } from '../sandbox/server';
import type { NodeUnderTest } from './workflows';

const ACCESS_KEY_TYPE = 'niceCxoneAccessKeyApi';

/** The Access Key credential `id`, on the sandbox's emulated tenant. */
export function accessKeyCredential(sandbox: CxoneSandbox, id: string) {
	return { id, name: `Access key ${id}`, type: ACCESS_KEY_TYPE, data: sandboxAccessKeyCredentialData(sandbox) };
}

const credentialOf = (id: string) => ({ [ACCESS_KEY_TYPE]: { id, name: `Access key ${id}` } });

/** Deal stages, some with a space, so the query's URL encoding is exercised like a CRM's values would. */
const STAGES = ['qualified', 'proposal sent', 'closed won', 'closed lost'];
const PRIORITIES = ['low', 'normal', 'high'];

export interface SignalItem {
	contactId: string;
	p1: string;
	p2: string;
}

/** The i-th signal item: round-robin over `contactIds`. `signalItemsCode` is the same function as Code node source. */
export const signalItem = (i: number, contactIds: string[]): SignalItem => ({
	contactId: contactIds[i % contactIds.length],
	p1: STAGES[i % STAGES.length],
	p2: `D-${i}`,
});

export const signalItemsCode = (count: number, contactIds: string[]) =>
	[
		`const contacts = ${JSON.stringify(contactIds)};`,
		`const stages = ${JSON.stringify(STAGES)};`,
		`return Array.from({ length: ${count} }, (_, i) => ({`,
		"\tjson: { contactId: contacts[i % contacts.length], p1: stages[i % stages.length], p2: 'D-' + i },",
		'}));',
	].join('\n');

/** The query the NICE CXone node sends for `item`, p1 then p2, URL-encoded: what its `payload_hash` covers. */
export const signalQuery = (item: SignalItem) => `p1=${encodeURIComponent(item.p1)}&p2=${encodeURIComponent(item.p2)}`;

export interface CaseItem {
	caseId: string;
	orderNumber: string;
	priority: string;
}

/** The i-th custom-fields item on `caseId`. `caseItemsCode` is the same function as Code node source. */
export const caseItem = (i: number, caseId: string): CaseItem => ({
	caseId,
	orderNumber: `ORD-${i}`,
	priority: PRIORITIES[i % PRIORITIES.length],
});

export const caseItemsCode = (count: number, caseId: string) =>
	[
		`const priorities = ${JSON.stringify(PRIORITIES)};`,
		`return Array.from({ length: ${count} }, (_, i) => ({`,
		`\tjson: { caseId: ${JSON.stringify(caseId)}, orderNumber: 'ORD-' + i, priority: priorities[i % priorities.length] },`,
		'}));',
	].join('\n');

/** The exact PUT body both nodes send for `item`. */
export const caseFieldsBody = (item: CaseItem) =>
	JSON.stringify([
		{ ident: 'orderNumber', value: item.orderNumber },
		{ ident: 'priority', value: item.priority },
	]);

export interface RealNodeSettings {
	credentialId: string;
	concurrency: number;
	maxRequestsPerSecond: number;
}

function niceCxoneNode(settings: RealNodeSettings, parameters: Record<string, unknown>): NodeUnderTest {
	return {
		type: 'n8n-nodes-nice-cxone.niceCxone',
		typeVersion: 2,
		credentials: credentialOf(settings.credentialId),
		parameters: {
			authentication: 'accessKey',
			...parameters,
			options: { concurrency: settings.concurrency, maxRequestsPerSecond: settings.maxRequestsPerSecond },
		},
	};
}

/** Contact → Signal, Contact ID and Parameters (JSON) as expressions. */
export const cxoneSignalNode = (settings: RealNodeSettings) =>
	niceCxoneNode(settings, {
		resource: 'contact',
		operation: 'signal',
		contactId: '={{ $json.contactId }}',
		parametersInput: 'json',
		parametersJson: '={{ [$json.p1, $json.p2] }}',
	});

/** Digital Case → Set Custom Fields, Case ID and Custom Fields (JSON) as expressions. */
export const cxoneCaseFieldsNode = (settings: RealNodeSettings) =>
	niceCxoneNode(settings, {
		resource: 'digitalCase',
		operation: 'setCustomFields',
		caseId: '={{ $json.caseId }}',
		customFieldsInput: 'json',
		customFieldsJson: '={{ { orderNumber: $json.orderNumber, priority: $json.priority } }}',
	});

/**
 * HTTP Request with Authentication → Predefined Credential Type → NICE CXone Access Key API, default options.
 * The URL is absolute, as a user types it: n8n hands the credential the request's absolute `uri`.
 */
function httpRequestNode(credentialId: string, parameters: Record<string, unknown>): NodeUnderTest {
	return {
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		credentials: credentialOf(credentialId),
		parameters: {
			authentication: 'predefinedCredentialType',
			nodeCredentialType: ACCESS_KEY_TYPE,
			...parameters,
			options: {},
		},
	};
}

/** POST {apiBase}/inContactAPI/services/v30.0/interactions/{contactId}/signal?p1=…&p2=…, one URL expression. */
export const httpSignalNode = (apiBase: string, credentialId: string) =>
	httpRequestNode(credentialId, {
		method: 'POST',
		url:
			`=${apiBase}${SIGNAL_PATH('{{ encodeURIComponent($json.contactId) }}')}` +
			'?p1={{ encodeURIComponent($json.p1) }}&p2={{ encodeURIComponent($json.p2) }}',
	});

/** PUT {digitalBase}/dfo/3.0/contacts/{caseId}/custom-fields with the same body as the NICE CXone node. */
export const httpCaseFieldsNode = (digitalBase: string, credentialId: string) =>
	httpRequestNode(credentialId, {
		method: 'PUT',
		url: `=${digitalBase}${DFO_PATH}/contacts/{{ encodeURIComponent($json.caseId) }}/custom-fields`,
		sendBody: true,
		specifyBody: 'json',
		jsonBody:
			"={{ JSON.stringify([{ ident: 'orderNumber', value: $json.orderNumber }, { ident: 'priority', value: $json.priority }]) }}",
	});
