/**
 * The app's screens, in tab order. Adding a screen (e.g. Station) = one entry here; App.svelte renders the tabs and
 * the active screen from this list and knows nothing about individual screens.
 */
import type { Component } from 'svelte';
import FlashScreen from './FlashScreen.svelte';
import DoctorScreen from './DoctorScreen.svelte';
import MonitorScreen from './MonitorScreen.svelte';
import StationScreen from './StationScreen.svelte';

export interface ScreenEntry {
  /** Stable id, used in the URL hash (#flash) and element ids. */
  id: string;
  /** Tab label. */
  label: string;
  /** One line shown as the tab's tooltip / description. */
  description: string;
  component: Component;
}

export const SCREENS: ScreenEntry[] = [
  { id: 'flash', label: 'Flash', description: 'Write firmware to a board', component: FlashScreen },
  {
    id: 'doctor',
    label: 'Doctor',
    description: 'Check USB serial access on this computer',
    component: DoctorScreen,
  },
  { id: 'monitor', label: 'Monitor', description: 'Serial console', component: MonitorScreen },
  {
    id: 'station',
    label: 'Station',
    description: 'Flash batches of boards: profiles, parallel ports, auto-start, report',
    component: StationScreen,
  },
];
