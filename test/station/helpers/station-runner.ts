/**
 * A station run in its own process, for the kill test: boards on the real clock, two quick and two with a slow
 * flash chip, appending to the report named on the command line. Prints `RECORD <mac>` once each record's append
 * has returned (it is on disk by then), so the parent knows what must survive a SIGKILL.
 * Usage: node --import tsx station-runner.ts <report.jsonl>
 */
import { realClock } from '../../../src-main/core/clock';
import { Station } from '../../../src-main/station';
import { smallImage, VirtualBench } from '../virtual-bench';

const reportFile = process.argv[2];
if (!reportFile) throw new Error('usage: station-runner.ts <report.jsonl>');

const bench = new VirtualBench(realClock);
const sha = bench.addFirmware(smallImage(31));
const ports = [
  'sim:esp8266?seed=81',
  'sim:esp8266?seed=82',
  'sim:esp8266?seed=83&fault=slow-flash',
  'sim:esp8266?seed=84&fault=slow-flash',
];
ports.forEach((p, i) =>
  bench.board(p, { seed: 81 + i, faults: p.includes('slow-flash') ? { slowFlashFactor: 400 } : {} }),
);
const profile = bench.profile({ name: 'kill-test', images: [{ sha256: sha, offset: 0, name: 'fw.bin' }] });
const station = await Station.open(bench.deps(), {
  profile,
  stationName: 'kill',
  reportFile,
  mode: { kind: 'ports', ports: ports.map((path) => ({ path })) },
  onEvent: (e) => {
    if (e.kind === 'record') process.stdout.write(`RECORD ${e.record.mac} ${e.record.result}\n`);
  },
});
station.start();
await station.whenIdle();
await station.stop();
process.stdout.write('DONE\n');
bench.cleanup();
