import { describe, expect, it } from 'vitest';
import { render, screen, within, fireEvent } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import PortPicker from '../../src-renderer/components/PortPicker.svelte';
import { PortsState } from '../../src-renderer/state/ports.svelte';
import { createFakeApi, realPort, settle, virtualPort } from './fake-api';

async function setup(ports: ReturnType<typeof realPort>[]) {
  const api = createFakeApi();
  api.fn.listPorts.mockResolvedValue({ ports });
  const state = new PortsState(api);
  await state.refresh();
  render(PortPicker, { props: { ports: state } });
  return { api, state };
}

describe('PortPicker', () => {
  it('shows real ports with bridge chip and by-id name, and virtual devices in their own labelled group', async () => {
    await setup([
      realPort(),
      realPort({
        path: '/dev/ttyUSB1',
        label: 'USB2.0-Serial',
        bridge: 'CH340',
        usbId: '1a86:7523',
        byId: undefined,
      }),
      virtualPort('esp8266'),
      virtualPort('esp32'),
    ]);

    const realGroup = screen.getByRole('group', { name: 'Serial ports on this computer' });
    const realRadios = within(realGroup).getAllByRole('radio');
    expect(realRadios.map((r) => (r as HTMLInputElement).value)).toEqual(['/dev/ttyUSB0', '/dev/ttyUSB1']);
    expect(within(realGroup).getByText('CP210x')).toBeInTheDocument();
    expect(within(realGroup).getByText('CH340')).toBeInTheDocument();
    expect(within(realGroup).getByText(/usb-Silicon_Labs_CP2102_0001-if00-port0/)).toBeInTheDocument();

    // A USB port is there: the virtual boards are folded away behind a disclosure, one line each, no chip.
    const folded = screen.getByTestId('virtual-boards');
    expect(folded.tagName).toBe('DETAILS');
    expect((folded as HTMLDetailsElement).open).toBe(false);
    expect(folded.querySelector('summary')).toHaveTextContent('Virtual boards (no hardware) (2)');
    expect(screen.queryByText('Virtual device (no hardware)')).toBeNull();
    const virtualGroup = screen.getByRole('group', { name: 'Virtual boards (no hardware)' });
    expect(
      within(virtualGroup)
        .getAllByRole('radio')
        .map((r) => (r as HTMLInputElement).value),
    ).toEqual(['sim:esp8266', 'sim:esp32']);
    // Virtual devices never appear among the real ports.
    expect(within(realGroup).queryByText(/sim:/)).toBeNull();
    expect(screen.queryByTestId('ports-empty')).toBeNull();
  });

  it('with no real port, tells a newcomer what to plug in and offers a virtual device', async () => {
    const { state } = await setup([virtualPort('esp32'), virtualPort('esp8266')]);
    const empty = screen.getByTestId('ports-empty');
    expect(empty).toHaveTextContent(/USB data cable/);
    expect(empty).toHaveTextContent(/adapter TX → board RX/);
    expect(empty).toHaveTextContent(/adapter RX → board TX/);
    expect(empty).toHaveTextContent(/GND → GND/);

    await fireEvent.click(within(empty).getByRole('button', { name: 'Try a virtual device' }));
    expect(state.selectedPath).toBe('sim:esp8266');
    expect(screen.getByRole('radio', { name: /Virtual ESP8266/ })).toBeChecked();
    // With a virtual device chosen the guidance shrinks to one line.
    expect(screen.queryByTestId('ports-empty')).toBeNull();
    expect(screen.getByTestId('ports-empty-virtual')).toHaveTextContent('using a virtual device');
  });

  it('a built-in UART (ttyS0) is listed but does not hide the newcomer guidance', async () => {
    const { state } = await setup([
      realPort({
        path: '/dev/ttyS0',
        label: 'Serial port — /dev/ttyS0',
        bridge: undefined,
        usbId: undefined,
        byId: undefined,
      }),
      virtualPort(),
    ]);
    expect(screen.getByTestId('ports-empty')).toHaveTextContent('No board found.');
    // Folded: a built-in UART is almost never the board.
    expect((screen.getByTestId('builtin-ports') as HTMLDetailsElement).open).toBe(false);
    const realGroup = screen.getByRole('group', { name: 'Serial ports on this computer' });
    expect(within(realGroup).getByRole('radio', { name: /ttyS0/ })).not.toBeChecked();
    expect(within(realGroup).getByText('built-in')).toBeInTheDocument();
    expect(state.selectedPath).toBeUndefined();
  });

  it('selecting a radio selects the port in the state', async () => {
    const { state } = await setup([
      realPort(),
      realPort({
        path: '/dev/ttyACM0',
        label: 'USB JTAG/serial debug unit',
        bridge: 'ESP native USB',
        usbId: '303a:1001',
        byId: '/dev/serial/by-id/usb-Espressif_USB_JTAG_serial_debug_unit-if00',
      }),
      virtualPort(),
    ]);
    expect(state.selectedPath).toBeUndefined(); // two real ports: no guess
    await fireEvent.click(screen.getByRole('radio', { name: /USB JTAG\/serial debug unit/ }));
    expect(state.selectedPath).toBe('/dev/ttyACM0');
    expect(state.selected?.bridge).toBe('ESP native USB');
    expect(screen.getByRole('radio', { name: /USB JTAG/ })).toBeChecked();
    expect(screen.getByRole('radio', { name: /CP2102/ })).not.toBeChecked();
  });

  it('follows portsChanged live: a plugged-in port appears, an unplugged selection is flagged', async () => {
    const { api, state } = await setup([virtualPort()]);
    expect(screen.getByTestId('ports-empty')).toBeInTheDocument();

    api.emit('portsChanged', { ports: [realPort(), virtualPort()] });
    flushSync();
    expect(screen.queryByTestId('ports-empty')).toBeNull();
    // The only real port is chosen for the user.
    expect(screen.getByRole('radio', { name: /CP2102/ })).toBeChecked();
    expect(state.selectedPath).toBe('/dev/ttyUSB0');

    api.emit('portsChanged', { ports: [virtualPort()] });
    flushSync();
    expect(screen.getByRole('status')).toHaveTextContent('/dev/ttyUSB0');
    expect(screen.getByRole('status')).toHaveTextContent(/unplugged/);
    expect(state.selected).toBeUndefined();

    api.emit('portsChanged', { ports: [realPort(), virtualPort()] });
    flushSync();
    expect(state.selected?.path).toBe('/dev/ttyUSB0');
    expect(screen.queryByText(/unplugged/)).toBeNull();
    await settle();
  });

  it('shows a listing error with its hint', async () => {
    const api = createFakeApi();
    api.fn.listPorts.mockRejectedValue({ code: 'INTERNAL', message: 'udevadm failed', hint: 'Try again.' });
    const state = new PortsState(api);
    render(PortPicker, { props: { ports: state } });
    await state.refresh();
    flushSync();
    expect(screen.getByRole('alert')).toHaveTextContent('udevadm failed');
    expect(screen.getByRole('alert')).toHaveTextContent('Try again.');
  });
});

describe('PortPicker: other port', () => {
  it('a port typed by hand becomes the selection, with a synthesized entry', async () => {
    const { state } = await setup([virtualPort()]);
    await fireEvent.input(screen.getByLabelText('Port path or address'), {
      target: { value: ' sim:esp8266?fault=swap-txrx ' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this port' }));
    expect(state.selectedPath).toBe('sim:esp8266?fault=swap-txrx');
    expect(state.selected).toMatchObject({ path: 'sim:esp8266?fault=swap-txrx', group: 'virtual' });
    expect(state.selectionMissing).toBe(false);
    expect(screen.getByText(/Using/)).toHaveTextContent('Using sim:esp8266?fault=swap-txrx.');
  });

  it('typed sim: URLs do not pile up: the plain boards and the one typed last are listed', async () => {
    const api = createFakeApi();
    const typed = (query: string) => ({
      ...virtualPort('esp8266'),
      path: `sim:esp8266?${query}`,
      label: `Virtual ESP8266 — ${query}`,
    });
    // The service lists every URL used since it started (faults tried before, station slots).
    api.fn.listPorts.mockResolvedValue({
      ports: [
        virtualPort('esp8266'),
        virtualPort('esp32'),
        typed('fault=swap-txrx'),
        typed('wiring=dout'),
        typed('slot=3'),
      ],
    });
    const state = new PortsState(api);
    await state.refresh();
    render(PortPicker, { props: { ports: state } });
    const values = () =>
      within(screen.getByRole('group', { name: 'Virtual boards (no hardware)' }))
        .getAllByRole('radio')
        .map((r) => (r as HTMLInputElement).value);
    expect(values()).toEqual(['sim:esp8266', 'sim:esp32']);

    const input = screen.getByLabelText('Port path or address');
    await fireEvent.input(input, { target: { value: 'sim:esp8266?fault=swap-txrx' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this port' }));
    expect(values()).toEqual(['sim:esp8266', 'sim:esp32', 'sim:esp8266?fault=swap-txrx']);
    expect(screen.getByRole('radio', { name: /fault=swap-txrx/ })).toBeChecked();

    // Another typed URL replaces it, and typing the same one twice lists it once.
    await fireEvent.input(input, { target: { value: 'sim:esp8266?wiring=dout' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this port' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Use this port' }));
    expect(values()).toEqual(['sim:esp8266', 'sim:esp32', 'sim:esp8266?wiring=dout']);

    // A URL never listed by the service yet (typed, not used) is listed from what was typed.
    await fireEvent.input(input, { target: { value: 'sim:esp32?fault=silent' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Use this port' }));
    expect(values()).toEqual(['sim:esp8266', 'sim:esp32', 'sim:esp32?fault=silent']);
    // …and named as the service names its boards, not by the bare URL.
    expect(screen.getByRole('radio', { name: /fault=silent/ }).closest('label')).toHaveTextContent(
      'Virtual ESP32 (simulated) — fault=silent',
    );
    flushSync();
  });
});
