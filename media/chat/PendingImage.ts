import type { PastedImage } from '../../src/shared/webviewMessages';
import { element } from './dom';

/** Formats the host can store; anything else is refused here with a reason. */
const acceptedTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/bmp', 'image/webp'];
/** Keep in step with `maxImageBytes` in src/extension/chat/imageFiles.ts. */
const maxBytes = 50 * 1024 * 1024;

/**
 * The image waiting in the composer: a thumbnail chip (with ×) from a paste, a drop or the
 * clipboard command. It goes out with the next message and is cleared after.
 */
export class PendingImage {
	private image: PastedImage | undefined;
	/** Bumped by each new image or clear, so a slow read of an older one is dropped. */
	private version = 0;

	constructor(private readonly chip: HTMLElement, private readonly hint: HTMLElement, private readonly focusInput: () => void) { }

	get current(): PastedImage | undefined {
		return this.image;
	}

	/** Takes the first image of a paste or drop; false when there is none (the event goes on as usual). */
	takeFrom(data: DataTransfer | null): boolean {
		const files = [...(data?.files ?? [])];
		const itemFiles = [...(data?.items ?? [])].filter(item => item.kind === 'file').map(item => item.getAsFile()).filter((file): file is File => file !== null);
		const file = [...files, ...itemFiles].find(candidate => candidate.type.startsWith('image/'));
		if (!file) {
			return false;
		}
		void this.set(file, file.name);
		return true;
	}

	/** "Explain Image from Clipboard": browsers often refuse this in a webview, so say how to paste instead. */
	async readClipboard(): Promise<void> {
		this.focusInput();
		try {
			for (const item of await navigator.clipboard.read()) {
				const type = item.types.find(candidate => candidate.startsWith('image/'));
				if (type) {
					await this.set(await item.getType(type), '');
					return;
				}
			}
			this.say('The clipboard holds no image. Copy a screenshot, then press Ctrl+V (⌘V on macOS) in this input.');
		} catch {
			this.say('Bora cannot read the clipboard here. Press Ctrl+V (⌘V on macOS) in this input to paste the image.');
		}
	}

	clear(): void {
		this.version++;
		this.image = undefined;
		this.chip.replaceChildren();
		this.chip.hidden = true;
	}

	private async set(blob: Blob, name: string): Promise<void> {
		const version = ++this.version;
		if (!acceptedTypes.includes(blob.type)) {
			this.say(`${name || 'This file'} is not an image Bora can read (${blob.type || 'unknown type'}). Use a PNG, JPEG, GIF or BMP image.`);
			return;
		}
		if (blob.size > maxBytes) {
			this.say(`The image is ${Math.round(blob.size / (1024 * 1024))} MB; images up to 50 MB are accepted. Crop or shrink the screenshot.`);
			return;
		}
		const dataUrl = await readAsDataUrl(blob);
		if (version !== this.version) {
			return;
		}
		const base64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
		const shown = name || `pasted image.${blob.type.slice('image/'.length).replace('jpeg', 'jpg')}`;
		this.image = { name: shown, mime: blob.type, base64 };
		this.say('');
		const remove = element('button', { className: 'remove', text: '×', attrs: { type: 'button', 'aria-label': `Remove the image ${shown}`, title: 'Remove the image' } });
		remove.addEventListener('click', () => {
			this.clear();
			this.focusInput();
		});
		this.chip.replaceChildren(
			element('img', { attrs: { src: dataUrl, alt: shown } }),
			element('span', { className: 'name', text: shown, attrs: { title: 'Sent with the message; an empty message asks to explain the screenshot' } }),
			remove,
		);
		this.chip.hidden = false;
		this.focusInput();
	}

	private say(text: string): void {
		this.hint.textContent = text;
		this.hint.hidden = text === '';
	}
}

function readAsDataUrl(blob: Blob): Promise<string> {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(String(reader.result));
		reader.onerror = () => reject(reader.error ?? new Error('The image could not be read'));
		reader.readAsDataURL(blob);
	});
}
