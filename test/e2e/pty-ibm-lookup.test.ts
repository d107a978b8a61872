/**
 * The setup screen's IBM Cloud lookup in a real terminal, against the
 * platform contract server: the keys as a user presses them (a lone Esc in
 * raw mode included), a deployment space picked from the list, and the
 * config saved with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadConfig,
  updateSetup,
  writeDefaultConfig,
} from '../../src/services/config/config-file.js';
import { makeWorkspace } from '../helpers/cli.js';
import {
  contractInstance,
  startIbmPlatformContract,
  type IbmPlatformContractServer,
} from '../helpers/ibm-platform-contract.js';
import { Terminal, plain } from '../helpers/terminal.js';

const DOWN = '\x1b[B';
const UP = '\x1b[A';
const ESC = '\x1b';

let server: IbmPlatformContractServer;

beforeAll(async () => {
  server = await startIbmPlatformContract();
  server.instances = [
    contractInstance('wml', 'ml-dallas'),
    contractInstance('cos', 'storage'),
  ];
  server.spaces = [
    { id: '5e1c0a2d-0000-4000-8000-000000000001', name: 'maxrec' },
    { id: '5e1c0a2d-0000-4000-8000-000000000002', name: 'other' },
  ];
});

afterAll(() => server?.close());

describe('the IBM Cloud lookup in a terminal', () => {
  it('picks a deployment space with the keyboard and saves it', async () => {
    const ws = makeWorkspace({ lines: 100 });
    await writeDefaultConfig(ws.configPath);
    await updateSetup(ws.configPath, {
      backend: 'ibm',
      localDataDir: ws.dataDir,
      iamUrl: server.iamUrl,
    });
    Object.assign(ws.env, {
      ML_APIKEY: server.apiKey,
      MAXREC_RESOURCE_CONTROLLER_URL: server.resourceControllerUrl,
      MAXREC_DATA_PLATFORM_URL: server.dataPlatformUrl,
    });
    const term = new Terminal(ws.dir, ws.env);
    const step = async (keys: string, text: string, from: number) => {
      term.press(keys);
      return term.waitFor(text, from, 20_000);
    };
    try {
      await term.waitFor('maxrec · Home', 0, 30_000);
      await term.pressUntil('\r', 'maxrec · Setup', 3);
      let mark = await term.waitFor('WML space id', 0, 20_000);
      mark = await step(DOWN.repeat(4), '❯ IBM Cloud', mark);
      // The account's only group is taken: its WML instances come first.
      mark = await step('\r', '❯ ml-dallas', mark);
      mark = await step('\r', 'Deployment space', mark);
      mark = await step(DOWN, '❯ other', mark);
      mark = await step('\r', 'Cloud Object Storage instance', mark);
      // Esc alone: back one list, the space picked still highlighted.
      mark = await step(ESC, '❯ other', mark);
      mark = await step(ESC, 'Watson Machine Learning instance', mark);
      mark = await step(ESC, '❯ IBM Cloud', mark);
      // From the IBM Cloud row, up and around to Save and continue.
      mark = await step(UP.repeat(5), '❯ Save and continue', mark);
      await step('\r', 'maxrec · Data', mark);
      expect(plain(term.output)).not.toContain(server.apiKey);
    } finally {
      term.kill();
    }
    const { settings } = await loadConfig(ws.configPath);
    expect(settings.ibm.spaceId).toBe('5e1c0a2d-0000-4000-8000-000000000002');
    expect(settings.ibm.wmlUrl).toBe('https://us-south.ml.cloud.ibm.com');
    expect(settings.ibm.cosInstance).toBe('');
  }, 120_000);
});
