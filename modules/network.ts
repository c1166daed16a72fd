/**
 * The VPC every service of an environment shares: created here, or adopted from existing ids.
 */
import { Construct } from 'constructs';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { SUBNET_LAYOUT, type NetworkConfig } from '../config';

export interface NetworkProps {
  /** Prefix of the Name tag of every network resource. */
  readonly name: string;
  /** Create a VPC (with its CIDR and NAT choice) or adopt existing VPC and subnet ids. */
  readonly network: NetworkConfig;
  /** Zones to place one public and one private subnet in (ignored for an existing VPC). */
  readonly availabilityZones: readonly string[];
}

/** Extra prefix bits per subnet: 16 slots, public subnets take 0-7 and private 8-15 (config/index.ts checks the VPC block and zones fit). */
const { bitsPerSubnet: SUBNET_BITS, slotsPerTier: SLOTS_PER_TIER } = SUBNET_LAYOUT;

/**
 * The `index`-th subnet of `newBits` extra prefix bits inside `cidr`, like Terraform's
 * cidrsubnet(), computed here so plans and tests show literal CIDRs.
 */
export function carveSubnet(cidr: string, newBits: number, index: number): string {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const subnetPrefix = prefix + newBits;
  if (subnetPrefix > 32 || index < 0 || index >= 2 ** newBits) {
    throw new RangeError(`cannot carve subnet ${index} of /${subnetPrefix} from ${cidr}`);
  }
  const base = address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const blockSize = 2 ** (32 - subnetPrefix);
  const networkBase = base - (base % 2 ** (32 - prefix));
  const start = networkBase + index * blockSize;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${subnetPrefix}`;
}

/**
 * A VPC with one public and one private subnet per zone, or an existing one.
 *
 * NAT choice: `none` places tasks in the public subnets with public IPs (their security group
 * still admits only the ALB); `single` and `per-az` place them in the private subnets behind NAT.
 */
export class Network extends Construct {
  /** Id of the VPC. */
  public readonly vpcId: string;
  /** Subnets for the load balancers. */
  public readonly publicSubnetIds: string[];
  /** Subnets the tasks run in. */
  public readonly taskSubnetIds: string[];
  /** Whether tasks need a public IP to reach ECR and CloudWatch (no NAT). */
  public readonly assignPublicIp: boolean;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const network = props.network;
    if (network.mode === 'existing') {
      this.vpcId = network.vpcId;
      this.publicSubnetIds = [...network.publicSubnetIds];
      this.taskSubnetIds = [...network.privateSubnetIds];
      this.assignPublicIp = false;
      return;
    }

    const zones = props.availabilityZones;
    const name = props.name;

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: network.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name },
    });
    this.vpcId = vpc.id;

    // The default security group is attached to nothing we create; owning it with no rules means
    // anything that lands in it by accident gets no traffic.
    new DefaultSecurityGroup(this, 'default-security-group', { vpcId: vpc.id, tags: { Name: `${name}-default-deny` } });

    const internetGateway = new InternetGateway(this, 'internet-gateway', { vpcId: vpc.id, tags: { Name: name } });
    const publicRoutes = new RouteTable(this, 'public-routes', { vpcId: vpc.id, tags: { Name: `${name}-public` } });
    new Route(this, 'public-default-route', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internetGateway.id,
    });

    const publicSubnets = zones.map((zone, index) => {
      const subnet = new Subnet(this, `public-${zone}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: carveSubnet(network.cidr, SUBNET_BITS, index),
        // Tasks get public IPs only when the service asks (no-NAT mode); nothing else should.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-public-${zone}`, Tier: 'public' },
      });
      new RouteTableAssociation(this, `public-${zone}-routes`, { subnetId: subnet.id, routeTableId: publicRoutes.id });
      return subnet;
    });

    const natGateways =
      network.natGateways === 'none'
        ? []
        : (network.natGateways === 'single' ? zones.slice(0, 1) : zones).map((zone, index) => {
            const address = new Eip(this, `nat-address-${zone}`, { domain: 'vpc', tags: { Name: `${name}-nat-${zone}` } });
            return new NatGateway(this, `nat-${zone}`, {
              allocationId: address.allocationId,
              subnetId: publicSubnets[index].id,
              tags: { Name: `${name}-nat-${zone}` },
              dependsOn: [internetGateway],
            });
          });

    // One private route table per NAT gateway (one without NAT): only the local route when there
    // is no NAT, so the private subnets suit databases but not tasks that pull images.
    const privateRoutes = (natGateways.length > 1 ? zones : zones.slice(0, 1)).map((zone, index) => {
      const table = new RouteTable(this, natGateways.length > 1 ? `private-routes-${zone}` : 'private-routes', {
        vpcId: vpc.id,
        tags: { Name: natGateways.length > 1 ? `${name}-private-${zone}` : `${name}-private` },
      });
      const natGateway = natGateways[index];
      if (natGateway) {
        new Route(this, `${table.node.id}-default-route`, {
          routeTableId: table.id,
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: natGateway.id,
        });
      }
      return table;
    });

    const privateSubnets = zones.map((zone, index) => {
      const subnet = new Subnet(this, `private-${zone}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: carveSubnet(network.cidr, SUBNET_BITS, SLOTS_PER_TIER + index),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-private-${zone}`, Tier: 'private' },
      });
      const table = privateRoutes[Math.min(index, privateRoutes.length - 1)];
      new RouteTableAssociation(this, `private-${zone}-routes`, { subnetId: subnet.id, routeTableId: table.id });
      return subnet;
    });

    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    const withNat = natGateways.length > 0;
    this.taskSubnetIds = withNat ? privateSubnets.map((subnet) => subnet.id) : this.publicSubnetIds;
    this.assignPublicIp = !withNat;
  }
}
