/**
 * Run by real-system.test.ts as an unprivileged user (bundled to a temp dir first): prints the access report
 * and the holders of one port as JSON. Everything it knows comes from the live system view, as in the app.
 */
import { accessReport, findPortHolders } from '../../src-main/doctor/index';

const port = process.argv[2];
if (!port) throw new Error('usage: probe PORT');
const report = await accessReport({ port });
const holders = await findPortHolders(port);
process.stdout.write(
  JSON.stringify({ uid: process.getuid?.(), groups: process.getgroups?.(), report, holders }),
);
