/**
 * The demo's n8n editor in a real browser (Debian's chromium, driven by playwright-core): the package's
 * nodes render with their icon and operations, a run from the editor reaches the sandbox, and the
 * README's screenshot is taken from that run.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, selectors, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BULK_WORKFLOW_ID, startDemo, TRIGGER_WORKFLOW_ID, type Demo } from '../../demo/run';
import { defaultOwner } from './n8nInstance';

const root = resolve(__dirname, '../..');
const screenshotPath = join(root, 'docs/images/editor.png');
const packTimeoutMs = 2 * 60_000;
// Generous: other suites or benchmarks may share the machine's two cores.
const uiTimeoutMs = 60_000;
const nodeSelector = '[data-test-id="canvas-node"][data-node-type="n8n-nodes-nice-cxone.niceCxone"]';
const triggerSelector = '[data-test-id="canvas-node"][data-node-type="n8n-nodes-nice-cxone.niceCxoneTrigger"]';

describe('the n8n editor (v2) with the package, in chromium', () => {
	let demo: Demo | undefined;
	let browser: Browser | undefined;
	let page: Page;

	beforeAll(async () => {
		// Packed every time: test:e2e has just built dist/, and a tarball left from an earlier build would
		// show old code. The demo installs whatever tarball .tmp/ holds.
		await promisify(execFile)('npm', ['pack', '--pack-destination', join(root, '.tmp')], {
			cwd: root,
			timeout: packTimeoutMs,
		});
		demo = await startDemo('v2');
		// n8n's editor marks its elements with data-test-id rather than Playwright's default data-testid.
		selectors.setTestIdAttribute('data-test-id');
		browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				'--disable-background-networking',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-component-update',
				'--disable-sync',
			],
			timeout: uiTimeoutMs,
		});
		page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
		page.setDefaultTimeout(uiTimeoutMs);
	});

	afterAll(async () => {
		try {
			await browser?.close();
		} finally {
			await demo?.stop();
		}
	});

	it('signs in through the sign-in form', async () => {
		await page.goto(`${demo!.n8n.url}/signin`);
		await page.locator('input[name="emailOrLdapLoginId"]').fill(defaultOwner.email);
		await page.locator('input[name="password"]').fill(defaultOwner.password);
		await page.getByRole('button', { name: 'Sign in' }).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	});

	it('renders the NICE CXone node with its icon and runs the example workflow', async () => {
		await page.goto(`${demo!.n8n.url}/workflow/${BULK_WORKFLOW_ID}`);
		const node = page.locator(nodeSelector);
		await expectPackageIcon(node.locator('img'));
		await expect(node.innerText()).resolves.toContain('Update CXone attributes');

		await page.getByTestId('execute-workflow-button').click();
		await page.getByText('Workflow executed successfully').waitFor();
		await node.getByTestId('canvas-node-status-success').waitFor();
		expect(demo!.sandbox.applied.map((update) => update.interactionId).sort()).toEqual([
			'8f7a9b2c-0001',
			'8f7a9b2c-0002',
			'8f7a9b2c-0003',
			'8f7a9b2c-0004',
			'8f7a9b2c-0005',
		]);
		// Five audit records and the run summary; the canvas draws the count after the status icon.
		await page.getByText('6 items').first().waitFor({ state: 'visible' });

		// The toast fades at its own pace and the pointer would highlight whatever it rests on.
		for (const close of await page.locator('.el-notification__closeBtn').all()) await close.click();
		await expect.poll(async () => await page.locator('.el-notification').count()).toBe(0);
		// The button shows a spinner until the editor has taken in the finished run.
		await page.getByTestId('execute-workflow-button').filter({ hasText: 'Execute workflow' }).waitFor();
		await page.mouse.move(640, 200);
		await mkdir(join(root, 'docs/images'), { recursive: true });
		await page.screenshot({ path: screenshotPath });
	});

	it('opens the node on Update Attributes and lists Register Webhook among its operations', async () => {
		await page.locator(nodeSelector).dblclick();
		const operation = page.getByTestId('parameter-input-operation');
		await expect(operation.locator('input').inputValue()).resolves.toBe('Update Attributes');

		await operation.click();
		const options = page.getByRole('option');
		await page.getByRole('option', { name: /Register Webhook/ }).waitFor();
		const labels = (await options.allInnerTexts()).map((label) => label.split('\n')[0]);
		expect(labels).toEqual(expect.arrayContaining(['Register Webhook', 'Update Attributes']));
		await page.keyboard.press('Escape');
		await page.keyboard.press('Escape');
	});

	it('renders the NICE CXone Trigger with its icon in the active trigger workflow', async () => {
		await page.goto(`${demo!.n8n.url}/workflow/${TRIGGER_WORKFLOW_ID}`);
		const trigger = page.locator(triggerSelector);
		await expectPackageIcon(trigger.locator('img'));
		await expect(trigger.innerText()).resolves.toContain('NICE CXone Trigger');
	});
});

/** The icon must come from the installed package and have actually loaded, not just be referenced. */
async function expectPackageIcon(image: Locator): Promise<void> {
	await image.waitFor();
	await expect(image.getAttribute('src')).resolves.toMatch(/\/icons\/n8n-nodes-nice-cxone\/.*niceCxone\.svg$/);
	await expect
		.poll(async () => await image.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth), {
			timeout: uiTimeoutMs,
		})
		.toBeGreaterThan(0);
}
