import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent, within, waitFor } from '@testing-library/svelte';
import FirmwareList from '../../src-renderer/components/FirmwareList.svelte';
import { FirmwareListState } from '../../src-renderer/state/firmware-list.svelte';
import { createFakeApi, deviceInfo, summary } from './fake-api';
import type { DeviceInfo, Manifest } from '../../src-renderer/api/types';

function binFile(name: string, bytes: number[]): File {
  return new File([new Uint8Array(bytes)], name, { type: 'application/octet-stream' });
}

/** `device` null: not identified. */
function setup(device: DeviceInfo | null = deviceInfo(), chip?: string) {
  const api = createFakeApi();
  const firmware = new FirmwareListState(api);
  const view = render(FirmwareList, { props: { firmware, device: device ?? undefined, chip } });
  const input = document.querySelector('input[type=file]') as HTMLInputElement;
  const choose = (files: File[]) => fireEvent.change(input, { target: { files } });
  return { api, firmware, choose, view };
}

/** Tasmota-like manifest: one ESP8266 part, three ESP32 parts; `over` adds top-level fields. */
function twoBuildManifest(over: Partial<Manifest> = {}): Manifest {
  return {
    name: 'Tasmota',
    version: '14.0',
    builds: [
      {
        chipFamily: 'ESP32',
        chip: 'esp32',
        parts: [
          { path: 'esp32/bootloader.bin', offset: 0x1000 },
          { path: 'esp32/partitions.bin', offset: 0x8000 },
          { path: 'esp32/app32.bin', offset: 0x10000 },
        ],
      },
      { chipFamily: 'ESP8266', chip: 'esp8266', parts: [{ path: 'tasmota.bin', offset: 0 }] },
    ],
    ...over,
  };
}

/** Waits until `n` files are in the list and every one is inspected. */
async function inspected(firmware: FirmwareListState, n: number): Promise<void> {
  await waitFor(() => {
    expect(firmware.items).toHaveLength(n);
    expect(firmware.items.every((i) => i.status === 'ready')).toBe(true);
  });
}

const manifestFile = () => new File(['{}'], 'manifest.json', { type: 'application/json' });
const allParts = () =>
  ['bootloader.bin', 'partitions.bin', 'app32.bin', 'tasmota.bin'].map((n, i) => binFile(n, [i]));

describe('FirmwareList', () => {
  it('adding a file sends its bytes to inspectFirmware and shows the image info', async () => {
    const { api, firmware, choose } = setup();
    api.fn.inspectFirmware.mockImplementation(async ({ name, bytes }) =>
      summary({
        name,
        size: (bytes as Uint8Array).length,
        sha256: 'b'.repeat(64),
        info: { flashMode: 'dio', flashSize: '1MB', suggestedOffset: 0 },
      }),
    );
    await choose([binFile('tasmota.bin', [0xe9, 0x01, 0x02, 0x20, 0xaa, 0xbb])]);

    await waitFor(() => expect(screen.getByTestId('image-info')).toBeInTheDocument());
    expect(api.fn.inspectFirmware).toHaveBeenCalledTimes(1);
    const call = api.fn.inspectFirmware.mock.calls[0]![0];
    expect(call.name).toBe('tasmota.bin');
    expect([...(call.bytes as Uint8Array)]).toEqual([0xe9, 0x01, 0x02, 0x20, 0xaa, 0xbb]);

    const info = screen.getByTestId('image-info');
    expect(info).toHaveTextContent('ESP8266');
    expect(info).toHaveTextContent('flash mode DIO');
    expect(info).toHaveTextContent('size 1MB');
    expect(screen.getByLabelText('Offset (hex)')).toHaveValue('0x0');
    expect(firmware.ready).toBe(true);
    expect(firmware.toImages()).toEqual([{ sha256: 'b'.repeat(64), offset: 0, name: 'tasmota.bin' }]);
  });

  it('warns about the wrong chip family, a file larger than the flash, and a QIO image on ESP8266', async () => {
    const { api, choose } = setup(deviceInfo({ chip: 'esp8266', flashSize: 1024 * 1024 }));
    api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
      name === 'esp32.bin'
        ? summary({
            name,
            size: 0x30000,
            info: { format: 'esp32', chip: 'esp32', suggestedOffset: 0x10000, flashMode: 'dio' },
          })
        : summary({
            name,
            size: 2 * 1024 * 1024,
            info: { chip: 'esp8266', flashMode: 'qio', suggestedOffset: 0 },
            warnings: [{ code: 'SERVICE', message: 'Header says 4MB.' }],
          }),
    );
    await choose([binFile('esp32.bin', [1]), binFile('big.bin', [2])]);
    await waitFor(() => expect(screen.getAllByTestId('image-info')).toHaveLength(2));

    const [esp32Item, bigItem] = screen.getAllByTestId('firmware-item');
    const w32 = within(esp32Item!).getByRole('list', { name: 'Warnings for esp32.bin' });
    expect(w32.querySelector('[data-code="CHIP_FAMILY"]')).toHaveTextContent(
      'Built for ESP32, but the connected board is ESP8266',
    );
    const wBig = within(bigItem!).getByRole('list', { name: 'Warnings for big.bin' });
    expect(wBig.querySelector('[data-code="TOO_LARGE"]')).toHaveTextContent(
      'past the end of the 1.00 MiB flash',
    );
    expect(wBig.querySelector('[data-code="FLASH_MODE"]')).toHaveTextContent('DOUT');
    expect(wBig.querySelector('[data-code="SERVICE"]')).toHaveTextContent('Header says 4MB.');
  });

  it('offset edits parse hex, flag invalid text, and block readiness until fixed', async () => {
    const { api, firmware, choose } = setup();
    api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
      summary({ name, info: { suggestedOffset: undefined } }),
    );
    await choose([binFile('a.bin', [1]), binFile('b.bin', [2])]);
    await waitFor(() => expect(screen.getAllByTestId('image-info')).toHaveLength(2));
    const inputs = screen.getAllByLabelText('Offset (hex)');
    // No suggestion: first file at 0, the second needs the user.
    expect(inputs[0]).toHaveValue('0x0');
    expect(inputs[1]).toHaveValue('');
    expect(firmware.ready).toBe(false);
    expect(screen.getByText(/Enter where this file goes/)).toBeInTheDocument();

    await fireEvent.input(inputs[1]!, { target: { value: '10000' } });
    expect(firmware.items[1]!.offset).toBe(0x10000);
    expect(firmware.ready).toBe(true);

    await fireEvent.input(inputs[1]!, { target: { value: '0xZZ' } });
    expect(firmware.items[1]!.offset).toBeUndefined();
    expect(inputs[1]).toHaveAttribute('aria-invalid', 'true');
    expect(firmware.ready).toBe(false);

    await fireEvent.input(inputs[1]!, { target: { value: '0x8000' } });
    expect(firmware.toImages().map((i) => i.offset)).toEqual([0, 0x8000]);
  });

  it('remove takes the file out of the list', async () => {
    const { api, firmware, choose } = setup();
    api.fn.inspectFirmware.mockImplementation(async ({ name }) => summary({ name }));
    await choose([binFile('a.bin', [1]), binFile('b.bin', [2])]);
    await waitFor(() => expect(screen.getAllByTestId('firmware-item')).toHaveLength(2));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove a.bin' }));
    expect(screen.getAllByTestId('firmware-item')).toHaveLength(1);
    expect(firmware.items.map((i) => i.name)).toEqual(['b.bin']);
  });

  it('shows an inspection error with its hint and is not ready', async () => {
    const { api, firmware, choose } = setup();
    api.fn.inspectFirmware.mockRejectedValue({
      code: 'IMAGE_INVALID',
      message: 'Not an ESP image (first byte 0x00).',
      hint: 'Pick the .bin that your build produced.',
    });
    await choose([binFile('junk.bin', [0])]);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Not an ESP image'));
    expect(screen.getByRole('alert')).toHaveTextContent('Pick the .bin');
    expect(firmware.ready).toBe(false);
  });

  it('a manifest with its parts places each part at its offset for the identified chip; missing parts are named', async () => {
    const { api, firmware, choose } = setup(deviceInfo({ chip: 'esp32', flashSize: 4 * 1024 * 1024 }));
    api.fn.parseManifest.mockResolvedValue({
      name: 'Tasmota',
      version: '14.0',
      builds: [
        { chipFamily: 'ESP8266', chip: 'esp8266', parts: [{ path: 'tasmota.bin', offset: 0 }] },
        {
          chipFamily: 'ESP32',
          chip: 'esp32',
          parts: [
            { path: 'firmware/bootloader.bin', offset: 0x1000 },
            { path: 'firmware/partitions.bin', offset: 0x8000 },
            { path: 'https://example.org/x/app.bin?v=2', offset: 0x10000 },
          ],
        },
      ],
    });
    api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
      summary({ name, info: { chip: 'esp32', suggestedOffset: undefined } }),
    );
    const manifest = new File([JSON.stringify({ name: 'Tasmota' })], 'manifest.json', {
      type: 'application/json',
    });
    await choose([manifest, binFile('bootloader.bin', [1]), binFile('app.bin', [2])]);
    await waitFor(() => expect(screen.getAllByTestId('image-info')).toHaveLength(2));

    expect(api.fn.parseManifest).toHaveBeenCalledWith({ json: JSON.stringify({ name: 'Tasmota' }) });
    expect(screen.getByTestId('manifest')).toHaveTextContent('Tasmota 14.0');
    expect(screen.getByRole('combobox', { name: 'Build' })).toHaveValue('1');
    expect(firmware.toImages().map((i) => [i.name, i.offset])).toEqual([
      ['bootloader.bin', 0x1000],
      ['app.bin', 0x10000],
    ]);
    expect(screen.getByTestId('manifest')).toHaveTextContent('Add the part files too: partitions.bin');

    await choose([binFile('partitions.bin', [3])]);
    await waitFor(() => expect(screen.getAllByTestId('image-info')).toHaveLength(3));
    expect(firmware.items.find((i) => i.name === 'partitions.bin')?.offset).toBe(0x8000);
    expect(screen.getByTestId('manifest')).not.toHaveTextContent('Add the part files');
  });
});

describe('FirmwareList with a manifest of several builds', () => {
  it('a known chip (a virtual ESP8266, no Identify) picks its build; the ESP32 parts are set aside and not flashed', async () => {
    const { api, firmware, choose } = setup(null, 'esp8266');
    api.fn.parseManifest.mockResolvedValue(twoBuildManifest());
    api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
      summary({ name, sha256: name.padEnd(64, '0'), size: 0x1000, info: { suggestedOffset: undefined } }),
    );
    await choose([manifestFile(), ...allParts()]);
    await inspected(firmware, 4);

    expect(screen.getByRole('combobox', { name: 'Build' })).toHaveValue('1');
    expect(screen.getByTestId('manifest')).toHaveTextContent('chosen for this ESP8266 board');
    expect(
      screen.getAllByTestId('firmware-item').map((li) => li.querySelector('.name')?.textContent),
    ).toEqual(['tasmota.bin']);
    expect(screen.getByTestId('other-builds')).toHaveTextContent(
      'Also in this manifest: ESP32 build (not for this board; 3 of its files set aside)',
    );
    expect(firmware.flashBlockedReason).toBeUndefined();
    expect(firmware.toImages()).toEqual([
      { sha256: 'tasmota.bin'.padEnd(64, '0'), offset: 0, name: 'tasmota.bin' },
    ]);
  });

  it('with the chip unknown no build is taken silently: Flash waits for Identify, which then picks the build', async () => {
    const { api, firmware, choose, view } = setup(null);
    api.fn.parseManifest.mockResolvedValue(twoBuildManifest());
    api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
      summary({ name, size: 0x1000, info: { suggestedOffset: undefined } }),
    );
    await choose([manifestFile(), ...allParts()]);
    await inspected(firmware, 4);

    expect(screen.getByRole('combobox', { name: 'Build' })).toHaveValue('');
    expect(screen.getByTestId('manifest')).toHaveTextContent('Press Identify above so Kiln picks the build');
    expect(firmware.ready).toBe(false);
    expect(firmware.flashBlockedReason).toBe(
      'This manifest has builds for ESP32 and ESP8266: press Identify so Kiln picks the one for this board, or choose the build.',
    );

    // Identify finds an ESP32: its build, its three parts at their offsets, the ESP8266 file set aside.
    await view.rerender({ firmware, device: deviceInfo({ chip: 'esp32', flashSize: 4 << 20 }) });
    expect(screen.getByRole('combobox', { name: 'Build' })).toHaveValue('0');
    expect(firmware.toImages().map((i) => [i.name, i.offset])).toEqual([
      ['bootloader.bin', 0x1000],
      ['partitions.bin', 0x8000],
      ['app32.bin', 0x10000],
    ]);
    expect(screen.getByTestId('other-builds')).toHaveTextContent(
      'ESP8266 build (not for this board; 1 of its files set aside)',
    );
    expect(firmware.ready).toBe(true);

    // The user's own pick stands even when another chip is identified later.
    await fireEvent.change(screen.getByRole('combobox', { name: 'Build' }), { target: { value: '1' } });
    await view.rerender({ firmware, device: deviceInfo({ chip: 'esp32c3' }) });
    expect(firmware.build?.chipFamily).toBe('ESP8266');
    expect(firmware.toImages().map((i) => i.name)).toEqual(['tasmota.bin']);
  });

  it('a chip the manifest has no build for blocks Flash and says so', async () => {
    const { api, firmware, choose } = setup(null, 'esp32c3');
    api.fn.parseManifest.mockResolvedValue(twoBuildManifest());
    api.fn.inspectFirmware.mockImplementation(async ({ name }) => summary({ name }));
    await choose([manifestFile(), binFile('tasmota.bin', [1])]);
    await inspected(firmware, 1);
    expect(firmware.flashBlockedReason).toBe(
      'This manifest has no build for ESP32-C3 (only ESP32 and ESP8266): it is not made for this board.',
    );
  });

  it('missing parts block Flash with their names', async () => {
    const { api, firmware, choose } = setup(null, 'esp32');
    api.fn.parseManifest.mockResolvedValue(twoBuildManifest());
    api.fn.inspectFirmware.mockImplementation(async ({ name }) => summary({ name, size: 0x1000 }));
    await choose([manifestFile(), binFile('app32.bin', [1])]);
    await inspected(firmware, 1);
    expect(firmware.ready).toBe(false);
    expect(firmware.flashBlockedReason).toBe(
      'Part of the firmware is missing: add bootloader.bin, partitions.bin (named in the manifest).',
    );
    await choose([binFile('bootloader.bin', [2]), binFile('partitions.bin', [3])]);
    await waitFor(() => expect(firmware.ready).toBe(true));
  });

  it('new_install_prompt_erase shows the erase choice in plain words, bound to the erase switch', async () => {
    const api = createFakeApi();
    const firmware = new FirmwareListState(api);
    let erase = false;
    render(FirmwareList, {
      props: {
        firmware,
        chip: 'esp8266',
        get eraseAll() {
          return erase;
        },
        set eraseAll(v: boolean) {
          erase = v;
        },
      },
    });
    api.fn.parseManifest.mockResolvedValue(twoBuildManifest({ newInstallPromptErase: true }));
    await fireEvent.change(document.querySelector('input[type=file]')!, {
      target: { files: [manifestFile()] },
    });
    const prompt = await screen.findByTestId('erase-prompt');
    expect(prompt).toHaveTextContent('Erasing also removes the settings saved on the board');
    const box = within(prompt).getByRole('checkbox', { name: 'Erase the whole flash before writing' });
    expect(box).not.toBeChecked();
    await fireEvent.click(box);
    expect(erase).toBe(true);
  });

  it('no erase choice when the manifest does not ask for one', async () => {
    const { api, choose } = setup(null, 'esp8266');
    api.fn.parseManifest.mockResolvedValue(twoBuildManifest({ newInstallPromptErase: false }));
    await choose([manifestFile()]);
    await screen.findByTestId('manifest');
    expect(screen.queryByTestId('erase-prompt')).toBeNull();
  });
});

describe('FirmwareList overlap', () => {
  it('hand-placed files that overlap block Flash with both ranges named, until an offset is fixed', async () => {
    const { api, firmware, choose } = setup(deviceInfo({ flashSize: 4 << 20 }));
    api.fn.inspectFirmware.mockImplementation(async ({ name }) =>
      summary({ name, size: 0x2000, info: { suggestedOffset: undefined } }),
    );
    await choose([binFile('a.bin', [1]), binFile('b.bin', [2])]);
    await waitFor(() => expect(screen.getAllByTestId('image-info')).toHaveLength(2));
    const inputs = screen.getAllByLabelText('Offset (hex)');
    await fireEvent.input(inputs[1]!, { target: { value: '0x1000' } });

    expect(firmware.ready).toBe(false);
    expect(firmware.flashBlockedReason).toBe(
      'a.bin (0x0–0x2000) and b.bin (0x1000–0x3000) overlap in flash: change an offset so each file has its own place.',
    );
    const [aItem] = screen.getAllByTestId('firmware-item');
    expect(aItem!.querySelector('[data-code="OVERLAP"]')).toHaveTextContent(
      'Overlaps b.bin (0x1000–0x3000). Flash stays off until each file has its own place.',
    );

    // Touching is not overlapping: b.bin starting where a.bin ends is fine.
    await fireEvent.input(inputs[1]!, { target: { value: '0x2000' } });
    expect(firmware.flashBlockedReason).toBeUndefined();
    expect(document.querySelector('[data-code="OVERLAP"]')).toBeNull();
  });
});

describe('FirmwareList drag and drop', () => {
  it('dropped files are inspected like chosen ones', async () => {
    const { api, firmware } = setup();
    api.fn.inspectFirmware.mockImplementation(async ({ name }) => summary({ name }));
    const zone = screen.getByRole('group', { name: /Firmware files/ });
    await fireEvent.dragOver(zone, { dataTransfer: { files: [] } });
    await fireEvent.drop(zone, { dataTransfer: { files: [binFile('dropped.bin', [7, 7])] } });
    await waitFor(() => expect(screen.getByTestId('image-info')).toBeInTheDocument());
    expect(firmware.items.map((i) => i.name)).toEqual(['dropped.bin']);
    expect([...(api.fn.inspectFirmware.mock.calls[0]![0].bytes as Uint8Array)]).toEqual([7, 7]);
  });
});
