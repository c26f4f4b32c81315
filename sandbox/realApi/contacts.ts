/**
 * The tenant's ACD data (spec §3, §5.2, §6, §7): skills, a campaign, tags and the contacts store, seeded at start with
 * one live and one closed contact. Ids are random per sandbox, shaped like real ones (12-digit contact ids).
 */
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export type BusinessDataValue = string | number | boolean;

export interface ReceivedSignal {
	/** p1…p9 as the script receives them (SP1…), after merging a JSON body into the query values. */
	params: Record<string, string>;
	receivedAt: string;
}

export interface AcdContact {
	contactId: string;
	masterContactId: string;
	skillId: number;
	skillName: string;
	campaignId: number;
	campaignName: string;
	mediaTypeId: number;
	mediaTypeName: string;
	agentId: number;
	teamId: number;
	stateId: number;
	stateName: string;
	pointOfContactId?: number;
	fromAddress: string;
	toAddress: string;
	contactStartDate: string;
	lastUpdateTime: string;
	ended: boolean;
	endDate?: string;
	signals: ReceivedSignal[];
	mergedSignals: number;
	tags: number[];
	businessData: Record<string, BusinessDataValue>;
	segments: Record<string, Record<string, BusinessDataValue>>;
}

/** The scalar fields a test may set when it adds a contact (`addContact`, POST /_sandbox/contacts). */
export type ContactFields = Partial<
	Pick<
		AcdContact,
		| 'masterContactId'
		| 'skillId'
		| 'skillName'
		| 'campaignId'
		| 'campaignName'
		| 'mediaTypeId'
		| 'mediaTypeName'
		| 'agentId'
		| 'teamId'
		| 'stateName'
		| 'pointOfContactId'
		| 'fromAddress'
		| 'toAddress'
	>
>;

const CONTACT_FIELD_TYPES: Record<keyof ContactFields, 'string' | 'number'> = {
	masterContactId: 'string',
	skillId: 'number',
	skillName: 'string',
	campaignId: 'number',
	campaignName: 'string',
	mediaTypeId: 'number',
	mediaTypeName: 'string',
	agentId: 'number',
	teamId: 'number',
	stateName: 'string',
	pointOfContactId: 'number',
	fromAddress: 'string',
	toAddress: 'string',
};

/** Why `fields` cannot describe a contact, or undefined when they can. */
export function contactFieldsProblem(fields: Record<string, unknown>): string | undefined {
	for (const [name, value] of Object.entries(fields)) {
		if (!Object.hasOwn(CONTACT_FIELD_TYPES, name)) {
			return `Unknown contact field ${name}; known: ${Object.keys(CONTACT_FIELD_TYPES).join(', ')}`;
		}
		const type = CONTACT_FIELD_TYPES[name as keyof ContactFields];
		if (typeof value !== type) return `Contact field ${name} must be a ${type}`;
		if (name === 'stateName' && stateIdOf(value as string) === undefined) return stateProblem(value as string);
	}
	return undefined;
}

/**
 * [U] Contact state ids and names: the spec lists the fields (§7) but not the values; these follow the names the
 * CXone UI shows. `EndContact` is the state of a contact that has ended.
 */
export const CONTACT_STATES: Record<string, number> = {
	PreQueue: 1,
	InQueue: 3,
	Active: 4,
	Hold: 5,
	PostQueue: 6,
	Interrupted: 9,
	EndContact: 11,
};
export const ENDED_STATE = 'EndContact';

const stateIdOf = (name: string): number | undefined =>
	Object.hasOwn(CONTACT_STATES, name) ? CONTACT_STATES[name] : undefined;
const stateProblem = (name: string) =>
	`Unknown contact state ${JSON.stringify(name)}; known: ${Object.keys(CONTACT_STATES).join(', ')}`;

export interface Tag {
	tagId: number;
	tagName: string;
	isActive: boolean;
	notes: string;
}

export interface Skill {
	skillId: number;
	skillName: string;
	mediaTypeId: number;
	mediaTypeName: string;
	tagIds: number[];
}

export interface BusinessDataField {
	name: string;
	type: 'string' | 'number' | 'boolean';
}

/** The ids a test or a user needs to reach the seeded data; see README "Sandbox" for what each one is. */
export interface SandboxSeed {
	liveContactId: string;
	closedContactId: string;
	digitalCaseId: string;
	customerId: string;
	businessDataField: string;
	tagId: number;
	skillId: number;
	campaignId: number;
	agentId: number;
}

const PHONE_CALL = { mediaTypeId: 4, mediaTypeName: 'Phone Call' };
const CHAT = { mediaTypeId: 3, mediaTypeName: 'Chat' };

/** A 12-digit numeric string, the shape of real ACD contact ids and DFO case ids (§4). */
export const numericId = () => String(randomInt(100_000_000_000, 1_000_000_000_000));
const smallId = () => randomInt(1_000_000, 10_000_000);

export class ContactStore {
	readonly skills: Skill[];
	readonly tags: Tag[];
	readonly campaign: { campaignId: number; campaignName: string };
	readonly agentId: number;
	readonly teamId = smallId();
	readonly pointOfContactId = smallId();
	readonly businessDataFields: BusinessDataField[] = [
		{ name: 'order_reference', type: 'string' },
		{ name: 'order_total', type: 'number' },
		{ name: 'callback_requested', type: 'boolean' },
	];
	readonly liveContactId: string;
	readonly closedContactId: string;

	private readonly contacts = new Map<string, AcdContact>();
	/** Contacts whose script is still handling a signal: a signal arriving meanwhile is merged into it (§3). */
	private readonly busy = new Map<string, Promise<void>>();

	constructor(private readonly signalProcessingMs: number) {
		const [active, inactive, spare] = [smallId(), smallId(), smallId()];
		this.tags = [
			{ tagId: active, tagName: 'Sale', isActive: true, notes: 'Order placed during the contact' },
			{ tagId: spare, tagName: 'Follow Up', isActive: true, notes: 'Needs a call back' },
			{ tagId: inactive, tagName: 'Legacy Campaign', isActive: false, notes: 'Retired tag' },
		];
		this.skills = [
			{ skillId: smallId(), skillName: 'Sales Inbound', ...PHONE_CALL, tagIds: this.tags.map((tag) => tag.tagId) },
			{ skillId: smallId(), skillName: 'Support Chat', ...CHAT, tagIds: [spare] },
		];
		this.campaign = { campaignId: smallId(), campaignName: 'Spring Sales' };
		this.agentId = smallId();
		this.liveContactId = this.addContact().contactId;
		const closed = this.addContact({ fromAddress: '+15550100002' });
		this.endContact(closed.contactId);
		this.closedContactId = closed.contactId;
	}

	get skill(): Skill {
		return this.skills[0];
	}

	/** Adds a live contact with a new id; fields not given come from the seeded skill, campaign and agent. */
	addContact(fields: ContactFields = {}): AcdContact {
		const problem = contactFieldsProblem(fields);
		if (problem) throw new RangeError(problem);
		let contactId = numericId();
		while (this.contacts.has(contactId)) contactId = numericId();
		const skill = this.skills.find((known) => known.skillId === fields.skillId) ?? this.skill;
		const now = new Date().toISOString();
		const stateName = fields.stateName ?? 'Active';
		const contact: AcdContact = {
			contactId,
			masterContactId: contactId,
			skillId: skill.skillId,
			skillName: skill.skillName,
			mediaTypeId: skill.mediaTypeId,
			mediaTypeName: skill.mediaTypeName,
			...this.campaign,
			agentId: this.agentId,
			teamId: this.teamId,
			pointOfContactId: this.pointOfContactId,
			fromAddress: '+15550100001',
			toAddress: '+15550199999',
			...fields,
			stateName,
			stateId: CONTACT_STATES[stateName],
			contactStartDate: now,
			lastUpdateTime: now,
			ended: false,
			signals: [],
			mergedSignals: 0,
			tags: [],
			businessData: {},
			segments: {},
		};
		this.contacts.set(contactId, contact);
		return structuredClone(contact);
	}

	/** A copy of the contact's record, or undefined for an unknown id. */
	contact(id: string): AcdContact | undefined {
		const contact = this.contacts.get(id);
		return contact && structuredClone(contact);
	}

	/** The live records themselves, for the API handlers of this sandbox only. */
	records(): IterableIterator<AcdContact> {
		return this.contacts.values();
	}

	record(id: string): AcdContact | undefined {
		return this.contacts.get(id);
	}

	setContactState(id: string, stateName: string): AcdContact {
		const contact = this.liveContact(id, 'change the state of');
		const stateId = stateIdOf(stateName);
		if (stateId === undefined || stateName === ENDED_STATE) {
			throw new RangeError(`${stateProblem(stateName)} (use endContact to end a contact)`);
		}
		Object.assign(contact, { stateName, stateId, lastUpdateTime: new Date().toISOString() });
		return structuredClone(contact);
	}

	/** Ends a live contact: it leaves the Real-Time lists and appears in Reporting's completed contacts. */
	endContact(id: string): AcdContact {
		const contact = this.liveContact(id, 'end');
		const now = new Date().toISOString();
		Object.assign(contact, {
			ended: true,
			endDate: now,
			lastUpdateTime: now,
			stateName: ENDED_STATE,
			stateId: CONTACT_STATES[ENDED_STATE],
		});
		return structuredClone(contact);
	}

	/**
	 * Delivers a signal to a live contact's script and resolves when the script has handled it. A signal that arrives
	 * while the previous one is still being handled is merged into it and never delivered (§3): `delivered` is false.
	 */
	async signal(contact: AcdContact, params: Record<string, string>): Promise<{ delivered: boolean }> {
		const pending = this.busy.get(contact.contactId);
		if (pending) {
			contact.mergedSignals++;
			await pending;
			return { delivered: false };
		}
		contact.signals.push({ params, receivedAt: new Date().toISOString() });
		const handled = sleep(this.signalProcessingMs).then(() => {
			this.busy.delete(contact.contactId);
		});
		this.busy.set(contact.contactId, handled);
		await handled;
		return { delivered: true };
	}

	private liveContact(id: string, action: string): AcdContact {
		const contact = this.contacts.get(id);
		if (!contact) throw new RangeError(`No contact ${id} to ${action}`);
		if (contact.ended) throw new RangeError(`Contact ${id} has already ended; cannot ${action} it`);
		return contact;
	}
}
