/**
 * The simulated network around the virtual boards: Wi-Fi access points with their passwords, a DHCP server handing
 * out addresses from a pool (one lease per MAC, so a board keeps its address across restarts, as with a typical
 * home router), and an MQTT broker that accepts one user. All boards of one process share one network, like boards
 * on one bench. Every value here is invented for the simulation ([guess] by nature): tests and demos use SIM_LAB.
 */

export interface SimAccessPoint {
  ssid: string;
  password: string;
  /** dBm, what a scan reports. */
  rssi: number;
}

export interface SimBroker {
  host: string;
  port: number;
  user: string;
  password: string;
}

export const SIM_LAB = {
  accessPoints: [
    { ssid: 'kiln-lab', password: 'kiln-lab-wifi-pw', rssi: -52 },
    { ssid: 'kiln-lab-2g', password: 'kiln-lab-2g-pw', rssi: -71 },
  ] satisfies SimAccessPoint[],
  broker: {
    host: '192.168.77.2',
    port: 1883,
    user: 'kiln',
    password: 'kiln-lab-mqtt-pw',
  } satisfies SimBroker,
  /** Leases are handed out from .100 up. */
  subnet: '192.168.77',
  gateway: '192.168.77.1',
};

export type JoinResult = { ok: true; ip: string } | { ok: false; why: 'no-ap' | 'wrong-password' };
export type BrokerResult = { ok: true } | { ok: false; why: 'unreachable' | 'not-authorised' };

export class SimNetwork {
  private readonly leases = new Map<string, string>();
  private nextHost = 100;

  constructor(
    readonly accessPoints: readonly SimAccessPoint[] = SIM_LAB.accessPoints,
    readonly broker: SimBroker = SIM_LAB.broker,
    readonly subnet: string = SIM_LAB.subnet,
    readonly gateway: string = SIM_LAB.gateway,
  ) {}

  join(mac: string, ssid: string, password: string): JoinResult {
    const ap = this.accessPoints.find((a) => a.ssid === ssid);
    if (!ap) return { ok: false, why: 'no-ap' };
    if (ap.password !== password) return { ok: false, why: 'wrong-password' };
    return { ok: true, ip: this.lease(mac) };
  }

  connectBroker(host: string, port: number, user: string, password: string): BrokerResult {
    if (host !== this.broker.host || port !== this.broker.port) return { ok: false, why: 'unreachable' };
    if (user !== this.broker.user || password !== this.broker.password)
      return { ok: false, why: 'not-authorised' };
    return { ok: true };
  }

  private lease(mac: string): string {
    let ip = this.leases.get(mac);
    if (!ip) {
      if (this.nextHost > 254) throw new Error('The simulated DHCP pool is exhausted');
      ip = `${this.subnet}.${this.nextHost++}`;
      this.leases.set(mac, ip);
    }
    return ip;
  }
}

/** The one network every virtual board of this process is on unless a test gives it its own. */
export const SHARED_SIM_NETWORK = new SimNetwork();
