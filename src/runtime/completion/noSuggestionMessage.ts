import type { NoSuggestionReason } from '../../shared/protocol';

/** What the log and the status tooltip say after "no suggestion:" for each reason. */
export function noSuggestionMessage(reason: NoSuggestionReason): string {
	switch (reason) {
		case 'suffixOnLine':
			return 'the text after the cursor on this line is too long';
		case 'stale':
			return 'the document changed while the suggestion was computed';
		case 'repeatsSuffix':
			return 'the model only repeated the text after the cursor';
		case 'empty':
			return 'the model wrote nothing to insert here';
		case 'modeUnavailable':
			return 'the model cannot complete in the configured bora.completion.mode';
		case 'disabled':
			return 'inline completion is turned off';
		case 'notReady':
			return 'no model is ready';
		default:
			void (reason satisfies never);
			throw new Error(`Unknown reason: ${String(reason)}`);
	}
}
