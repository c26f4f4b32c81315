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

/** The field names of the benchmark's items: as a CRM export has them, or shaped for Map Automatically. */
const FIELD_NAMES = {
	crm: { id: 'id', segment: 'segment', priority: 'priority', flag: 'flag' },
	// What an Edit Fields node upstream of Map Automatically leaves: the interaction id and one field
	// per attribute, in body order.
	mapped: { id: 'interactionId', segment: 'customer_segment', priority: 'routing_priority', flag: 'compliance_flag' },
};

export type ItemFields = keyof typeof FIELD_NAMES;

/** Code node source emitting `benchItem(0 … count-1)`, with the field names of `fields`. */
export const itemsCode = (count: number, fields: ItemFields = 'crm') => {
	const name = FIELD_NAMES[fields];
	return [
		`const segments = ${JSON.stringify(SEGMENTS)};`,
		`return Array.from({ length: ${count} }, (_, i) => ({`,
		`\tjson: { ${name.id}: 'bench-' + i, ${name.segment}: segments[i % 3], ${name.priority}: i % 10,`,
		`\t\t${name.flag}: i % 7 === 0 ? 'pending' : 'verified' },`,
		'}));',
	].join('\n');
};

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
