/**
 * An ESPHome-like Improv-serial responder (115200 8N1): answers the RPC commands of the published spec
 * (improv-wifi.com/serial) with the frames of provision/improv-frame.ts (one wire format), joins the simulated
 * Wi-Fi it is given and reports the outcome through the spec's state machine:
 *   send Wi-Fi settings → error state 0x00, current state 0x03 "provisioning" → 0x04 "provisioned" and an RPC result
 *   whose first string is the URL to redirect to — or error state 0x03 "unable to connect" and back to 0x02.
 * A frame with a bad checksum is ignored (the authors' client drops such frames too); a well-framed RPC that is
 * malformed gets error 0x01, an unknown command 0x02 (spec, "Error state").
 * [guess]: the delays, the log lines between frames, the device-info strings and the redirect URL `http://<ip>`
 * (ESPHome's own, per its improv_serial component, is the web server's address when one is configured).
 */
import {
  decodeStrings,
  encodeImprovFrame,
  encodeRpcResult,
  ImprovCommand,
  ImprovDecoder,
  ImprovError,
  ImprovState,
  ImprovType,
  splitRpc,
  type ImprovFrame,
} from '../provision/improv-frame';
import type { FirmwareConsole, FirmwareHost } from './firmware-console';

const WIFI_CONNECT_MS = 1500;

export class ImprovFirmware implements FirmwareConsole {
  private readonly decoder = new ImprovDecoder({ frame: (f) => this.onFrame(f) });
  private state: number = ImprovState.authorized;
  private ip: string | undefined;

  constructor(private readonly host: FirmwareHost) {
    this.text('[I][app:029]: Running through setup()...');
    const ssid = host.settings.get('improv.ssid');
    if (ssid !== undefined) {
      // Saved credentials: the firmware joins on its own at boot.
      const r = host.network.join(host.mac, ssid, host.settings.get('improv.password') ?? '');
      if (r.ok) {
        this.ip = r.ip;
        this.state = ImprovState.provisioned;
        this.text(`[I][wifi:xxx]: WiFi Connected! IP Address: ${r.ip}`);
      }
    }
  }

  receive(bytes: Buffer): void {
    this.decoder.push(bytes);
  }

  private text(line: string): void {
    this.host.send(Buffer.from(`${line}\r\n`, 'utf8'));
  }

  private sendState(): void {
    this.host.send(encodeImprovFrame(ImprovType.currentState, Buffer.from([this.state])));
  }

  private sendError(code: number): void {
    this.host.send(encodeImprovFrame(ImprovType.errorState, Buffer.from([code])));
  }

  private url(): string[] {
    return this.ip ? [`http://${this.ip}`] : [];
  }

  private onFrame(f: ImprovFrame): void {
    if (f.type !== ImprovType.rpcCommand) return;
    const rpc = splitRpc(f.data);
    if (!rpc) return this.sendError(ImprovError.invalidRpc);
    switch (rpc.command) {
      case ImprovCommand.requestCurrentState:
        this.sendState();
        if (this.state === ImprovState.provisioned)
          this.host.send(encodeRpcResult(ImprovCommand.requestCurrentState, this.url()));
        return;
      case ImprovCommand.requestDeviceInfo:
        this.host.send(
          encodeRpcResult(ImprovCommand.requestDeviceInfo, [
            'ESPHome',
            '2024.6.0',
            this.host.chip.toUpperCase(),
            `kiln-sim-${this.host.mac.slice(-8).replace(/:/g, '')}`,
          ]),
        );
        return;
      case ImprovCommand.requestScannedNetworks:
        for (const ap of this.host.network.accessPoints)
          this.host.send(
            encodeRpcResult(ImprovCommand.requestScannedNetworks, [ap.ssid, String(ap.rssi), 'YES']),
          );
        this.host.send(encodeRpcResult(ImprovCommand.requestScannedNetworks, []));
        return;
      case ImprovCommand.sendWifiSettings: {
        const strings = decodeStrings(rpc.payload);
        if (!strings || strings.length !== 2) return this.sendError(ImprovError.invalidRpc);
        this.provision(strings[0]!, strings[1]!);
        return;
      }
      default:
        this.sendError(ImprovError.unknownRpc);
    }
  }

  private provision(ssid: string, password: string): void {
    this.sendError(ImprovError.none);
    this.state = ImprovState.provisioning;
    this.sendState();
    this.host.later(WIFI_CONNECT_MS, () => {
      const r = this.host.network.join(this.host.mac, ssid, password);
      if (!r.ok) {
        this.text(`[W][wifi:xxx]: Error while connecting to network.`);
        this.state = ImprovState.authorized;
        this.sendError(ImprovError.unableToConnect);
        this.sendState();
        return;
      }
      this.ip = r.ip;
      this.host.settings.set('improv.ssid', ssid);
      this.host.settings.set('improv.password', password);
      this.text(`[I][wifi:xxx]: WiFi Connected! IP Address: ${r.ip}`);
      this.state = ImprovState.provisioned;
      this.sendState();
      this.host.send(encodeRpcResult(ImprovCommand.sendWifiSettings, this.url()));
    });
  }
}
