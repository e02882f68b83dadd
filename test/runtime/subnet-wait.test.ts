// Docker gives a subnet to one network at a time (containers runtime, ContainerRuntime's
// waitForSubnet): a lab whose subnet another running lab holds waits for it and then starts; a
// network that is no lab's is an error that says what to do. Real Docker networks, on a subnet
// of their own so that no other test's lab is in the way.
import { afterEach, describe, expect, it } from 'vitest';
import os from 'node:os';
import { getContainerRuntimeClient } from 'testcontainers';
import { ContainerRuntime, containersAvailable } from '../../lab/runtime/containers.ts';
import { loadTopology } from '../../lab/topology/load.ts';
import { DEFAULT_TOPOLOGY } from '../../lab/runtime/lab.ts';

const noEngine = process.env.MAIL_LAB_CONTAINERS === '0' ? 'MAIL_LAB_CONTAINERS=0' : await containersAvailable();
const SUBNET = '10.213.77.0/24';

describe.skipIf(noEngine)(`a lab network's subnet${noEngine ? ` (skipped: ${noEngine})` : ''}`, () => {
  const made: string[] = [];
  afterEach(async () => {
    const client = await getContainerRuntimeClient();
    for (const id of made.splice(0)) await client.network.remove(client.network.getById(id)).catch(() => {});
  });

  async function network(name: string, labels: Record<string, string>) {
    const client = await getContainerRuntimeClient();
    const n = await client.network.create({ Name: name, Driver: 'bridge', IPAM: { Driver: 'default', Config: [{ Subnet: SUBNET }] }, Labels: labels } as never);
    made.push(n.id);
    return n;
  }

  function runtime() {
    const topology = { ...loadTopology(DEFAULT_TOPOLOGY, { ports: 'auto' }), network: SUBNET };
    return new ContainerRuntime(topology, os.tmpdir(), {}) as unknown as { waitForSubnet<T>(create: () => Promise<T>): Promise<T> };
  }

  it('waits while another running lab holds it, and starts once that lab lets go', async () => {
    const other = await network(`mail-lab-test-holder-${process.pid}`, { 'mail-lab.runtime': 'network', 'mail-lab.pid': String(process.pid) });
    const client = await getContainerRuntimeClient();
    let attempts = 0;
    const ours = await runtime().waitForSubnet(async () => {
      attempts++;
      try {
        const n = await network(`mail-lab-test-waiter-${process.pid}`, {});
        return n;
      } catch (err) {
        // refused twice while the other lab runs; it finishes during our second try
        if (attempts === 2) await client.network.remove(client.network.getById(other.id));
        throw err;
      }
    });
    expect(attempts).toBe(3);
    expect(ours.id).toBeTruthy();
  });

  it("says what to do when the subnet is a network that is no lab's", async () => {
    await network(`not-a-lab-${process.pid}`, {});
    await expect(runtime().waitForSubnet(() => network(`mail-lab-test-refused-${process.pid}`, {}))).rejects.toThrow(
      /the lab network 10\.213\.77\.0\/24 \(network: in .*classroom\.yaml\) overlaps a Docker network that is not a lab's; remove that network \(docker network ls, docker network rm\) or write another network: in the topology/,
    );
  });
});
