/**
 * Stopping browser mode (Ctrl-C, SIGTERM): the service first, so running jobs are cancelled and their
 * `jobDone CANCELLED` reaches every page while the sockets are still open; then the server. In the other order
 * a page would lose the connection with its job's outcome unknown.
 */
import type { KilnService } from '../../service/service';
import type { WebServer } from './server';

export async function stopBrowserMode(server: WebServer, service: KilnService): Promise<void> {
  await service.shutdown();
  await server.close();
}
