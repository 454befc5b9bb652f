import * as vscode from 'vscode';
import { imageDisplayName, imageProblem, imageSizeProblem, sniffImageType, storedImageName } from './imageFiles';

/** An image a chat turn asks about: the stored copy in the extension's storage. */
export interface StoredImage {
	/** URI (string) of the copy under `<global storage>/images/`; history turns point here. */
	readonly uri: string;
	/** What the user knows it as: the original file name, or `pasted image.png`. */
	readonly name: string;
	readonly mime: string;
	/** Filled in once answered, e.g. `64×48 · 16 / 1024 image tokens`. */
	readonly detail?: string;
}

export type StoreResult = { readonly image: StoredImage } | { readonly problem: string };

/**
 * Copies images into `<global storage>/images/<sha256>.<ext>`, so a chat keeps showing (and can ask
 * again about) an image after the original is moved or deleted, and a pasted image has a file.
 */
export class ImageStore {
	constructor(private readonly storageUri: vscode.Uri) { }

	/** The folder the chat webview may load thumbnails from. */
	get folder(): vscode.Uri {
		return vscode.Uri.joinPath(this.storageUri, 'images');
	}

	/** Reads a picked file (refusing huge ones before reading) and stores a copy. */
	async storeFile(file: vscode.Uri): Promise<StoreResult> {
		const name = imageDisplayName(file.path, undefined);
		let bytes: Uint8Array;
		try {
			const { size, type } = await vscode.workspace.fs.stat(file);
			if (type & vscode.FileType.Directory) {
				return { problem: `${name} is a folder, not an image.` };
			}
			const tooLarge = imageSizeProblem(name, size);
			if (tooLarge) {
				return { problem: tooLarge };
			}
			bytes = await vscode.workspace.fs.readFile(file);
		} catch (error) {
			return { problem: `${name} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
		}
		return this.storeBytes(bytes, name);
	}

	/** How the runtime gets the stored copy: its path when it is a local file, else its bytes. */
	async source(image: StoredImage): Promise<{ readonly imagePath: string } | { readonly base64: string; readonly mime: string }> {
		const uri = vscode.Uri.parse(image.uri);
		if (uri.scheme === 'file') {
			return { imagePath: uri.fsPath };
		}
		return { base64: Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('base64'), mime: image.mime };
	}

	/** Stores pasted or dropped bytes; `name` is what the panel shows. */
	async storeBytes(bytes: Uint8Array, name: string): Promise<StoreResult> {
		const problem = imageProblem(name, bytes);
		const type = sniffImageType(bytes);
		if (problem || !type) {
			return { problem: problem ?? `${name} is not an image.` };
		}
		const target = vscode.Uri.joinPath(this.folder, storedImageName(bytes, type));
		try {
			await vscode.workspace.fs.stat(target);
		} catch {
			await vscode.workspace.fs.createDirectory(this.folder);
			await vscode.workspace.fs.writeFile(target, bytes);
		}
		return { image: { uri: target.toString(), name, mime: type.mime } };
	}
}
