import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** Folders the chat webview may load from: its bundle, the media assets and the stored chat images, nothing else. */
export function chatResourceRoots(extensionUri: vscode.Uri, joinPath: typeof vscode.Uri.joinPath, imageFolder?: vscode.Uri): vscode.Uri[] {
	return [joinPath(extensionUri, 'dist', 'webview'), joinPath(extensionUri, 'media'), ...(imageFolder ? [imageFolder] : [])];
}

/**
 * The chat panel's page. A fresh nonce per render is the only way a script runs; styles come from
 * the webview's own origin; nothing remote, no forms, no inline handlers.
 */
export function renderChatHtml(webview: vscode.Webview, extensionUri: vscode.Uri, joinPath: typeof vscode.Uri.joinPath): string {
	const nonce = randomBytes(18).toString('base64');
	const script = webview.asWebviewUri(joinPath(extensionUri, 'dist', 'webview', 'chat.js'));
	const style = webview.asWebviewUri(joinPath(extensionUri, 'dist', 'webview', 'chat.css'));
	const csp = [
		"default-src 'none'",
		`style-src ${webview.cspSource}`,
		`font-src ${webview.cspSource}`,
		// Thumbnails: stored copies through the webview's origin, pasted images as data: URIs before sending.
		`img-src ${webview.cspSource} data:`,
		`script-src 'nonce-${nonce}'`,
		"form-action 'none'",
		"base-uri 'none'",
	].join('; ');
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(style.toString())}">
<title>Bora Chat</title>
</head>
<body>
<div id="app" aria-busy="true"></div>
<script nonce="${escapeAttribute(nonce)}" src="${escapeAttribute(script.toString())}"></script>
</body>
</html>`;
}

export function escapeAttribute(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
