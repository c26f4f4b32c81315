import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';
import { describe, expect, it } from 'vitest';

import { loadBuilt } from './built';

const { holdsExpression, RunParameters } = loadBuilt<typeof import('../../nodes/NiceCxone/helpers/parameters')>(
	'nodes/NiceCxone/helpers/parameters.js',
);

/** A node with `stored` parameters whose getNodeParameter answers `${name}@${itemIndex}` and logs each read. */
function contextWith(stored: INodeParameters) {
	const reads: string[] = [];
	const context = {
		getNode: () => ({ parameters: stored }),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			reads.push(`${name}@${itemIndex}`);
			return name in stored ? `${name}@${itemIndex}` : fallback;
		},
	} as unknown as IExecuteFunctions;
	return { context, reads };
}

describe('holdsExpression', () => {
	it.for<[string, unknown, boolean]>([
		['an expression', '={{ $json.mode }}', true],
		['a constant string', 'UPDATE', false],
		['a string with "=" inside', 'a=b', false],
		['a number', 5, false],
		['null', null, false],
		['a collection of constants', { includeResponse: false, concurrency: 5 }, false],
		[
			'a fixedCollection with one expression value',
			{ attribute: [{ key: 'a', value: '1' }, { key: 'b', value: '={{ $json.x }}' }] },
			true,
		],
		['an expression in an array', ['a', '={{ 1 }}'], true],
	])('%s: %s', ([, value, expected]) => {
		expect(holdsExpression(value)).toBe(expected);
	});
});

describe('RunParameters', () => {
	it('reads a parameter without an expression once and hands its first value to every item', () => {
		const { context, reads } = contextWith({ defaultMode: 'ADD', options: { includeResponse: false } });
		const parameters = new RunParameters(context);
		const values = [0, 1, 2].map((itemIndex) => parameters.get('defaultMode', itemIndex));
		expect(values).toEqual(['defaultMode@0', 'defaultMode@0', 'defaultMode@0']);
		expect(parameters.get('options', 1)).toBe('options@1');
		expect(parameters.get('options', 2)).toBe('options@1');
		expect(reads).toEqual(['defaultMode@0', 'options@1']);
	});

	it('reads a parameter holding an expression, even deep inside, for every item', () => {
		const { context, reads } = contextWith({
			interactionId: '={{ $json.id }}',
			attributesUi: { attribute: [{ key: 'a', value: 'constant' }, { key: 'b', value: '={{ $json.b }}' }] },
		});
		const parameters = new RunParameters(context);
		for (const itemIndex of [0, 1, 2]) {
			expect(parameters.get('interactionId', itemIndex)).toBe(`interactionId@${itemIndex}`);
			expect(parameters.get('attributesUi', itemIndex)).toBe(`attributesUi@${itemIndex}`);
		}
		expect(reads).toHaveLength(6);
	});

	it('judges a path such as "options.timeout" by its whole top-level parameter', () => {
		const { context, reads } = contextWith({ options: { timeout: '={{ $json.timeout }}' } });
		const parameters = new RunParameters(context);
		parameters.get('options.timeout', 0);
		parameters.get('options.timeout', 1);
		expect(reads).toEqual(['options.timeout@0', 'options.timeout@1']);
	});

	it('keeps a missing parameter\'s fallback for the run', () => {
		const { context, reads } = contextWith({});
		const parameters = new RunParameters(context);
		expect(parameters.get('fieldsToIgnore', 0, '')).toBe('');
		expect(parameters.get('fieldsToIgnore', 1, '')).toBe('');
		expect(reads).toEqual(['fieldsToIgnore@0']);
	});

	it('reads again after a read that threw, so every item reports its own error', () => {
		let calls = 0;
		const context = {
			getNode: () => ({ parameters: { attributesJson: '{' } }),
			getNodeParameter: () => {
				calls++;
				throw new Error('unreadable');
			},
		} as unknown as IExecuteFunctions;
		const parameters = new RunParameters(context);
		expect(() => parameters.get('attributesJson', 0)).toThrow('unreadable');
		expect(() => parameters.get('attributesJson', 1)).toThrow('unreadable');
		expect(calls).toBe(2);
	});

	it('belongs to one run: another RunParameters reads the node\'s parameters anew', () => {
		const { context, reads } = contextWith({ defaultMode: 'ADD' });
		new RunParameters(context).get('defaultMode', 0);
		new RunParameters(context).get('defaultMode', 0);
		expect(reads).toEqual(['defaultMode@0', 'defaultMode@0']);
	});
});
