import assert from 'node:assert/strict';

describe('deliberately failing suite', () => {
	it('fails', () => {
		assert.equal(1 + 1, 3, 'this failure is expected by the harness test');
	});
});
