/** Shared by the harness (Node) and the suites it runs inside VS Code's extension host. */

/** File in the fixture workspace that tells extension-host suites where the fixture models are. */
export const fixturesFileName = '.bora-e2e.json';
