import assert from 'node:assert/strict';
import { decideTrigger, TypingRhythm } from '../../src/extension/completion/triggerPolicy';

describe('inline completion triggering', () => {
	it('explicit requests always go through at once', () => {
		assert.deepEqual(decideTrigger({ explicit: true, sinceLastKeystrokeMs: 0, debounceMs: 500 }), { kind: 'now' });
	});

	it('waits out the rest of the debounce after the last keystroke', () => {
		assert.deepEqual(decideTrigger({ explicit: false, sinceLastKeystrokeMs: 40, debounceMs: 150 }), { kind: 'after', delayMs: 110 });
		assert.deepEqual(decideTrigger({ explicit: false, sinceLastKeystrokeMs: Infinity, debounceMs: 150 }), { kind: 'now' });
	});

	it('adapts the debounce to the typing rhythm, per politeness, clamped', () => {
		const rhythm = new TypingRhythm();
		assert.equal(rhythm.typicalGapMs, 200, 'a default before anything is measured');
		for (const at of [0, 120, 240, 360, 480, 600, 5000, 5120]) {
			rhythm.keystroke(at);
		}
		assert.equal(rhythm.typicalGapMs, 120, 'the 4.4 s pause is not typing');
		assert.equal(rhythm.debounceMs('normal'), 180);
		assert.equal(rhythm.debounceMs('eager'), 90);
		assert.equal(rhythm.debounceMs('onPause'), 500, 'clamped to its minimum');
		assert.equal(rhythm.debounceMs('normal', 150), 100, 'expected latency shortens the wait down to the minimum');
		assert.equal(rhythm.sinceLastKeystroke(5200), 80);
	});

	it('a slow typist gets a longer wait, up to the maximum', () => {
		const rhythm = new TypingRhythm();
		for (const at of [0, 900, 1800, 2700, 3600]) {
			rhythm.keystroke(at);
		}
		assert.equal(rhythm.debounceMs('normal'), 1000);
		assert.equal(rhythm.debounceMs('onPause'), 2000);
	});
});
