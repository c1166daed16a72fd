import { evaluateTemplate, ExpressionError } from '../../tools/terraform/expressions';

const VALUES: Record<string, unknown> = {
  'aws_iam_openid_connect_provider.github.arn': 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
  'local.account': '${element(split(":", aws_iam_openid_connect_provider.github.arn), 4)}',
  'aws_subnet.a.id': 'subnet-1',
};

function resolve(traversal: readonly string[]): never | string | number | null {
  const key = traversal.join('.');
  if (!(key in VALUES)) throw new Error(`no ${key}`);
  const value = VALUES[key] as string;
  return value.includes('${') ? (evaluateTemplate(value, resolve) as string) : value;
}

describe('the expressions of cdk.tf.json the state builder evaluates', () => {
  it('returns a whole-expression value as it is, not as text', () => {
    expect(evaluateTemplate('${split(",", "a,b")}', resolve)).toEqual(['a', 'b']);
  });

  it('fills a template through a local that takes the account out of an ARN', () => {
    expect(evaluateTemplate('arn:aws:ecs:ap-northeast-1:${local.account}:service/shop-dev/web', resolve)).toBe('arn:aws:ecs:ap-northeast-1:123456789012:service/shop-dev/web');
  });

  it('resolves plain references and leaves text without expressions alone', () => {
    expect(evaluateTemplate('${aws_subnet.a.id}', resolve)).toBe('subnet-1');
    expect(evaluateTemplate('no expressions', resolve)).toBe('no expressions');
  });

  it('keeps braces inside quoted strings inside the expression', () => {
    expect(evaluateTemplate('${join("}", split(",", "a,b"))}', resolve)).toBe('a}b');
  });

  it('refuses a function it does not know, by name', () => {
    expect(() => evaluateTemplate('${jsonencode(aws_subnet.a.id)}', resolve)).toThrow(new ExpressionError('cannot evaluate "jsonencode(aws_subnet.a.id)": function jsonencode() is not supported'));
  });
});
