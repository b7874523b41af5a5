/**
 * The Flash screen with an ESP Web Tools manifest, against a fake backend: the button honours the firmware list's
 * blocking reason (shown beside it in words), and the manifest's erase prompt reaches `startFlash`.
 */
import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent, waitFor } from '@testing-library/svelte';
import App from '../../src-renderer/App.svelte';
import type { Manifest } from '../../src-renderer/api/types';
import { createFakeApi, mockFlashBackend, settle, summary, virtualPort } from './fake-api';

const MANIFEST: Manifest = {
  name: 'Lamp',
  newInstallPromptErase: true,
  builds: [
    { chipFamily: 'ESP32', chip: 'esp32', parts: [{ path: 'lamp32.bin', offset: 0x10000 }] },
    {
      chipFamily: 'ESP8266',
      chip: 'esp8266',
      parts: [
        { path: 'lamp.bin', offset: 0 },
        { path: 'fs.bin', offset: 0x100000 },
      ],
    },
  ],
};

const file = (name: string) => new File([new Uint8Array([0xe9, 1])], name);
const flashButton = () => screen.getByRole('button', { name: 'Flash' });

async function addFiles(files: File[]): Promise<void> {
  await fireEvent.change(document.querySelector('input[type=file]')!, { target: { files } });
  await settle();
}

describe('Flash screen with a manifest', () => {
  it('Flash stays off with the reason while a part is missing; the erase choice and the right build reach startFlash', async () => {
    const api = mockFlashBackend(createFakeApi(), [virtualPort('esp8266'), virtualPort('esp32')]);
    api.fn.parseManifest.mockResolvedValue(MANIFEST);
    api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
      summary({ name, sha256: name.padEnd(64, '0'), size: 1024, info: { suggestedOffset: undefined } }),
    );
    render(App, { props: { api } });
    await settle();
    await fireEvent.click(screen.getByRole('button', { name: 'Try a virtual device' }));
    await addFiles([new File(['{}'], 'manifest.json'), file('lamp32.bin'), file('lamp.bin')]);

    await waitFor(() =>
      expect(document.getElementById('flash-blocker')).toHaveTextContent(
        'Part of the firmware is missing: add fs.bin (named in the manifest).',
      ),
    );
    expect(flashButton()).toBeDisabled();
    expect(flashButton()).toHaveAccessibleDescription(/Part of the firmware is missing: add fs\.bin/);

    await addFiles([file('fs.bin')]);
    await waitFor(() => expect(flashButton()).toBeEnabled());
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Erase the whole flash before writing' }));
    // One switch, shown in two places: the flash options show the same choice.
    expect(screen.getByRole('checkbox', { name: /Erase the whole flash first/ })).toBeChecked();
    await fireEvent.click(flashButton());

    expect(api.fn.startFlash).toHaveBeenCalledTimes(1);
    const input = api.fn.startFlash.mock.calls[0]![0];
    expect(input.port).toBe('sim:esp8266');
    expect(input.images.map((i) => [i.name, i.offset])).toEqual([
      ['lamp.bin', 0],
      ['fs.bin', 0x100000],
    ]);
    expect(input.options?.eraseAll).toBe(true);
  });
});
