/** How a context chip (the current file, the selection) reads, included or not. */
export interface ContextChipView {
	readonly text: string;
	/** `eye` when included, `eye-closed` when not, as VS Code's own chat draws its context. */
	readonly icon: 'eye' | 'eye-closed';
	readonly title: string;
	readonly ariaLabel: string;
}

/**
 * Included and left-out chips differ the way VS Code's chat shows its implicit context: a left-out
 * one is dimmed and italic with a closed eye, never struck through (which reads as "deleted").
 */
export function describeContextChip(label: string, included: boolean): ContextChipView {
	return included
		? { text: label, icon: 'eye', title: 'Included — click to leave it out', ariaLabel: `${label}, included` }
		: { text: label, icon: 'eye-closed', title: 'Not included — click to include', ariaLabel: `${label}, not included` };
}
