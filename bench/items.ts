/** The benchmark's input items and the attribute body each one becomes, shared by every scenario. */

export interface BenchItem {
	id: string;
	segment: string;
	priority: number;
	flag: string;
}

const SEGMENTS = ['enterprise', 'smb', 'consumer'];

/** The i-th input item. `itemsCode` is the same function as Code node source; measure.ts checks they agree. */
export function benchItem(i: number): BenchItem {
	return {
		id: `bench-${i}`,
		segment: SEGMENTS[i % 3],
		priority: i % 10,
		flag: i % 7 === 0 ? 'pending' : 'verified',
	};
}

/** Code node source emitting `benchItem(0 … count-1)`. */
export const itemsCode = (count: number) =>
	[
		`const segments = ${JSON.stringify(SEGMENTS)};`,
		`return Array.from({ length: ${count} }, (_, i) => ({`,
		"\tjson: { id: 'bench-' + i, segment: segments[i % 3], priority: i % 10,",
		"\t\tflag: i % 7 === 0 ? 'pending' : 'verified' },",
		'}));',
	].join('\n');

/** The same body as an HTTP Request node JSON expression. */
export const ATTRIBUTE_BODY_EXPRESSION = [
	'={{ JSON.stringify({ attributes: [',
	"{ key: 'customer_segment', value: $json.segment, mode: 'UPDATE' }, ",
	"{ key: 'routing_priority', value: $json.priority, mode: 'UPDATE' }, ",
	"{ key: 'compliance_flag', value: $json.flag, mode: 'UPDATE' }",
	'] }) }}',
].join('');

/** The exact request body the NICE CXone node sends for `item`. */
export function attributeBody(item: BenchItem): string {
	return JSON.stringify({
		attributes: [
			{ key: 'customer_segment', value: item.segment, mode: 'UPDATE' },
			{ key: 'routing_priority', value: item.priority, mode: 'UPDATE' },
			{ key: 'compliance_flag', value: item.flag, mode: 'UPDATE' },
		],
	});
}

export const attributesPath = (id: string) => `/api/v2/interactions/${encodeURIComponent(id)}/attributes`;
