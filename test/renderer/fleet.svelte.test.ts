import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import StationTabs from '../../src-renderer/components/StationTabs.svelte';
import { FleetState, troubleTitle, type FleetWatchState } from '../../src-renderer/state/fleet.svelte';
import { createFakeApi } from './fake-api';

const watching: FleetWatchState = {
  watching: true,
  broker: 'mqtt://broker.local:1883',
  fleet: 'shop',
  connection: 'online',
  view: {
    fleet: 'shop',
    stations: [],
    records: [],
    totals: { stations: 0, online: 0, verified: 0, failed: 0, skipped: 0 },
  },
};

describe('FleetState', () => {
  it('sends the form (no empty user), forgets the password once watching, follows fleetUpdate', async () => {
    const api = createFakeApi();
    api.fn.fleetWatch.mockResolvedValue(watching);
    const fleet = new FleetState(api);
    fleet.broker = ' mqtt://broker.local:1883 ';
    fleet.fleet = 'shop';
    fleet.password = 'pw';
    expect(await fleet.start()).toBe(true);
    expect(api.fn.fleetWatch).toHaveBeenCalledWith({
      broker: 'mqtt://broker.local:1883',
      fleet: 'shop',
      password: 'pw',
    });
    expect(fleet.password).toBe('');
    expect(fleet.watch.connection).toBe('online');

    api.emit('fleetUpdate', { ...watching, connection: 'offline' });
    expect(fleet.watch.connection).toBe('offline');
    fleet.destroy();
    expect(api.listenerCount('fleetUpdate')).toBe(0);
  });

  it('a refused login keeps the password to correct and says what happened first', async () => {
    const api = createFakeApi();
    api.fn.fleetWatch.mockRejectedValue({
      code: 'BROKER_AUTH',
      message: 'The MQTT broker mqtt://b:1883 refused the login: Not authorized.',
      hint: 'Check the user name and password, then watch again.',
    });
    const fleet = new FleetState(api);
    fleet.broker = 'mqtt://b:1883';
    fleet.fleet = 'shop';
    fleet.user = 'kiln';
    fleet.password = 'wrong';
    expect(await fleet.start()).toBe(false);
    expect(fleet.password).toBe('wrong');
    expect(fleet.error?.code).toBe('BROKER_AUTH');
    expect(troubleTitle(fleet.error!)).toBe('The broker refused the user name or password.');
    expect(troubleTitle({ code: 'SOMETHING_NEW', message: 'x' })).toBe('Watching the fleet failed.');
  });
});

describe('StationTabs', () => {
  it('is a tablist: arrows, Home and End select and focus the tabs', async () => {
    render(StationTabs, { props: { tab: 'this' } });
    const [here, fleet] = screen.getAllByRole('tab');
    expect(here).toHaveProperty('textContent', 'This station');
    expect(here!.getAttribute('aria-selected')).toBe('true');
    expect(here!.getAttribute('aria-controls')).toBe('station-panel-this');
    expect(fleet!.getAttribute('tabindex')).toBe('-1');
    await fireEvent.keyDown(here!, { key: 'ArrowRight' });
    expect(fleet!.getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(fleet);
    expect(here!.getAttribute('tabindex')).toBe('-1');
    await fireEvent.keyDown(fleet!, { key: 'ArrowRight' }); // wraps round
    expect(here!.getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(here!, { key: 'End' });
    expect(fleet!.getAttribute('aria-selected')).toBe('true');
    await fireEvent.keyDown(fleet!, { key: 'Home' });
    expect(here!.getAttribute('aria-selected')).toBe('true');
    await fireEvent.click(fleet!);
    expect(fleet!.getAttribute('aria-selected')).toBe('true');
  });
});
