import type { IExecuteFunctions } from 'n8n-workflow';

/** Whether a stored parameter value holds an expression anywhere inside it (n8n's rule: a string starting with "="). */
export function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (typeof value === 'object' && value !== null) return Object.values(value).some(holdsExpression);
	return false;
}

/**
 * The node's parameters for one run. getNodeParameter evaluates a parameter for each item, the largest
 * cost per item; a parameter whose stored value holds no expression has the same value for every item,
 * so it is read once and that value is handed to every later item. Create one per run: the same node
 * runs again with other parameters. Values handed out are shared between items and must not be changed.
 */
export class RunParameters {
	private readonly constant = new Map<string, unknown>();
	private readonly perItem = new Set<string>();

	constructor(private readonly context: IExecuteFunctions) {}

	/** getNodeParameter(name, itemIndex, fallback), read once per run if the parameter holds no expression. */
	get<T>(name: string, itemIndex: number, fallback?: T): T {
		if (this.constant.has(name)) return this.constant.get(name) as T;
		const value = this.context.getNodeParameter(name, itemIndex, fallback) as T;
		if (!this.perItem.has(name)) {
			// getNodeParameter also takes a path such as "options.timeout": the whole top-level parameter decides.
			const stored = this.context.getNode().parameters[name.split('.')[0]];
			if (holdsExpression(stored)) this.perItem.add(name);
			else this.constant.set(name, value);
		}
		return value;
	}
}
