import { carveSubnet, Network, type NetworkProps } from '../../modules/network';
import { resources, synthConstructs } from './support';

const zones = ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'];

function build(props: Partial<NetworkProps> = {}) {
  let network: Network | undefined;
  const synthesized = synthConstructs((scope) => {
    network = new Network(scope, 'network', {
      name: 'shop-test',
      network: { mode: 'create', cidr: '10.10.0.0/16', natGateways: 'none' },
      availabilityZones: zones.slice(0, 2),
      ...props,
    });
  });
  return { synthesized, network: network! };
}

describe('carveSubnet', () => {
  it('splits a block like Terraform cidrsubnet()', () => {
    expect(carveSubnet('10.10.0.0/16', 4, 0)).toBe('10.10.0.0/20');
    expect(carveSubnet('10.10.0.0/16', 4, 1)).toBe('10.10.16.0/20');
    expect(carveSubnet('10.10.0.0/16', 4, 8)).toBe('10.10.128.0/20');
    expect(carveSubnet('192.168.4.0/24', 4, 15)).toBe('192.168.4.240/28');
  });

  it('refuses an index beyond the available subnets', () => {
    expect(() => carveSubnet('10.0.0.0/16', 4, 16)).toThrow(RangeError);
  });
});

describe('Network', () => {
  it('creates a VPC with DNS and a public and a private subnet per zone, carved from its CIDR', () => {
    const { synthesized } = build();
    expect(resources(synthesized, 'aws_vpc')).toEqual([
      expect.objectContaining({ cidr_block: '10.10.0.0/16', enable_dns_hostnames: true, enable_dns_support: true }),
    ]);
    const subnets = resources(synthesized, 'aws_subnet').map((subnet) => [subnet.tags.Tier, subnet.availability_zone, subnet.cidr_block]);
    expect(subnets).toEqual(
      expect.arrayContaining([
        ['public', 'ap-northeast-1a', '10.10.0.0/20'],
        ['public', 'ap-northeast-1c', '10.10.16.0/20'],
        ['private', 'ap-northeast-1a', '10.10.128.0/20'],
        ['private', 'ap-northeast-1c', '10.10.144.0/20'],
      ]),
    );
    expect(subnets).toHaveLength(4);
    expect(resources(synthesized, 'aws_subnet').every((subnet) => subnet.map_public_ip_on_launch === false)).toBe(true);
  });

  it('routes the public subnets through an internet gateway', () => {
    const { synthesized } = build();
    expect(resources(synthesized, 'aws_internet_gateway')).toHaveLength(1);
    expect(resources(synthesized, 'aws_route')).toEqual([
      expect.objectContaining({ destination_cidr_block: '0.0.0.0/0', gateway_id: expect.stringContaining('aws_internet_gateway.') }),
    ]);
  });

  it('without NAT puts tasks in the public subnets with public IPs', () => {
    const { synthesized, network } = build();
    expect(resources(synthesized, 'aws_nat_gateway')).toHaveLength(0);
    expect(network.assignPublicIp).toBe(true);
    expect(network.taskSubnetIds).toEqual(network.publicSubnetIds);
  });

  it('with a single NAT gateway puts tasks in private subnets routed through it', () => {
    const { synthesized, network } = build({ network: { mode: 'create', cidr: '10.10.0.0/16', natGateways: 'single' }, availabilityZones: zones });
    expect(resources(synthesized, 'aws_nat_gateway')).toHaveLength(1);
    expect(resources(synthesized, 'aws_eip')).toHaveLength(1);
    expect(resources(synthesized, 'aws_route').filter((route) => route.nat_gateway_id)).toHaveLength(1);
    expect(network.assignPublicIp).toBe(false);
    expect(network.taskSubnetIds).not.toEqual(network.publicSubnetIds);
    expect(network.taskSubnetIds).toHaveLength(3);
  });

  it('with a NAT gateway per zone gives each private subnet its own route table and gateway', () => {
    const { synthesized } = build({ network: { mode: 'create', cidr: '10.10.0.0/16', natGateways: 'per-az' }, availabilityZones: zones });
    expect(resources(synthesized, 'aws_nat_gateway')).toHaveLength(3);
    expect(resources(synthesized, 'aws_eip')).toHaveLength(3);
    expect(resources(synthesized, 'aws_route').filter((route) => route.nat_gateway_id)).toHaveLength(3);
    expect(resources(synthesized, 'aws_route_table')).toHaveLength(4);
  });

  it('locks down the VPC default security group', () => {
    const { synthesized } = build();
    const [group] = resources(synthesized, 'aws_default_security_group');
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  it('adopts an existing VPC without creating anything', () => {
    const { synthesized, network } = build({
      network: { mode: 'existing', vpcId: 'vpc-0abc', publicSubnetIds: ['subnet-01', 'subnet-02'], privateSubnetIds: ['subnet-03', 'subnet-04'] },
    });
    expect(synthesized.resource).toBeUndefined();
    expect(network).toMatchObject({ vpcId: 'vpc-0abc', publicSubnetIds: ['subnet-01', 'subnet-02'], taskSubnetIds: ['subnet-03', 'subnet-04'], assignPublicIp: false });
  });
});
