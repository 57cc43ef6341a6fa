/** WeChat's TCPSocket budget (20 created in any 5 minutes) as the connection keeps it: TcpBudget over simulated time. */
import { TcpBudget } from '../../src/platform/transport/tcp';

describe('TcpBudget', () => {
  it('a reconnect loop over 30 minutes never creates more than 20 sockets in any 5-minute window, and waits no longer than it must', () => {
    const budget = new TcpBudget();
    const created: number[] = [];
    let now = 0;
    while (now < 30 * 60_000) {
      const wait = budget.wait(now);
      if (wait > 0) {
        // the connection waits exactly this long (TCP_BUDGET's retryAt), then asks again
        expect(budget.wait(now + wait - 1)).toBeGreaterThan(0);
        now += wait;
        continue;
      }
      budget.spend(now);
      created.push(now);
      now += 100; // a socket dropped at once, reconnected after 100 ms
    }
    for (let i = 20; i < created.length; i++) expect(created[i] - created[i - 20]).toBeGreaterThanOrEqual(5 * 60_000);
    expect(created.length).toBe(20 * 6);
  });
});
