import { DEFAULT_STUDIO_EVENT_ID_FIELD, WEBHOOK_SECRET_HEADER_NAME } from '../constants';

/**
 * A CXone Studio SNIPPET that calls the trigger (spec §9b's template, with this node's header and event ID field).
 * [U] Assembled from NICE's GetRESTProxy() page and two public snippets, not run in a real Studio (spec §9b).
 * The eventId is built once per call from the contact, so the REST layer's own retries resend the same one.
 */
export const STUDIO_SNIPPET_LINES = [
	'ASSIGN n8nUrl = "PRODUCTION-URL-OF-THIS-NODE"',
	'ASSIGN proxy = GetRESTProxy()',
	'proxy.ContentType = "application/json"',
	'proxy.ProxyTimeoutSeconds = 2',
	`proxy.AddHeader("${WEBHOOK_SECRET_HEADER_NAME}", "YOUR-WEBHOOK-SECRET")`,
	'DYNAMIC evt',
	`evt.${DEFAULT_STUDIO_EVENT_ID_FIELD} = "{ContactID}-{SPAWNEDCONTACTID}-{ElapsedTime}"`,
	'evt.contactId = "{ContactID}"',
	'evt.event = "contact.data"',
	'evt.ani = "{ANI}"',
	'ASSIGN body = "{evt.asjson()}"',
	'ASSIGN resp = proxy.MakeRestRequest(n8nUrl, body, 0, "POST")',
	'ASSIGN httpStatus = proxy.StatusCode',
] as const;

/** The REST API action's settings (spec §9a); [U] the action's own property names are not published. */
export const STUDIO_REST_ACTION_SETTINGS = [
	'Verb: POST',
	'URL: the Production URL of this node (Webhook URLs above)',
	`Headers: Content-Type = application/json and ${WEBHOOK_SECRET_HEADER_NAME} = your Webhook Secret`,
	`Body: one line of JSON with a unique ${DEFAULT_STUDIO_EVENT_ID_FIELD} per event, e.g. {"${DEFAULT_STUDIO_EVENT_ID_FIELD}":"{ContactID}-{ElapsedTime}","contactId":"{ContactID}"}`,
	'Timeout: a few seconds; the trigger answers {"ok":true} at once',
] as const;

/** Lines as an HTML list: n8n's notices keep only a, ul and li tags, so this is how line breaks survive. */
export const noticeList = (lines: readonly string[]) => `<ul>${lines.map((line) => `<li>${line}</li>`).join('')}</ul>`;
