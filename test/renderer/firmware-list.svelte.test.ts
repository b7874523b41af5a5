import { describe, expect, it } from 'vitest';
import { render, screen, fireEvent, within, waitFor } from '@testing-library/svelte';
import FirmwareList from '../../src-renderer/components/FirmwareList.svelte';
import { FirmwareListState } from '../../src-renderer/state/firmware-list.svelte';
import { createFakeApi, deviceInfo, summary } from './fake-api';

function binFile(name: string, bytes: number[]): File {
  return new File([new Uint8Array(bytes)], name, { type: 'application/octet-stream' });
}

function setup(device = deviceInfo()) {
  const api = createFakeApi();
  const firmware = new FirmwareListState(api);
  render(FirmwareList, { props: { firmware, device } });
  const input = document.querySelector('input[type=file]') as HTMLInputElement;
  const choose = (files: File[]) => fireEvent.change(input, { target: { files } });
  return { api, firmware, choose };
}

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
