import assert from 'node:assert/strict';
import { Disposable } from '../../src/extension/dispose';

class Owner extends Disposable {
	own(name: string, log: string[]): void {
		this._register({ dispose: () => log.push(name) });
	}
}

describe('the extension\'s Disposable base', () => {
	it('disposes what it owns once, last registered first, and a late registration at once', () => {
		const log: string[] = [];
		const owner = new Owner();
		owner.own('first', log);
		owner.own('second', log);
		owner.dispose();
		owner.dispose();
		assert.deepEqual(log, ['second', 'first']);
		owner.own('late', log);
		assert.deepEqual(log, ['second', 'first', 'late']);
	});
});
