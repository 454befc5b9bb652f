import type { RuntimeState } from '../shared/types';

/** What the extension knows about the runtime process, including before it has said anything. */
export type ClientState =
	| { readonly kind: 'starting' }
	| { readonly kind: 'stopped'; readonly message: string }
	| { readonly kind: 'runtime'; readonly runtime: RuntimeState };
